using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Policies.OpenAI.DependencyInjection;

/// <summary>
/// At start-up, when <c>Training:Policy</c> is <c>openai</c> and its section is valid: the inference server serves the model and answers
/// token ids and log-probs, before any work.
/// </summary>
internal sealed class OpenAiServerCheck(IServiceProvider services) : IStartupCheck
{
    public Task CheckAsync(CancellationToken cancellationToken) => OpenAiPolicyValidator.IsSelected(services)
        ? OpenAiPolicy.CheckServerAsync(services.GetRequiredService<IOptions<OpenAiPolicyOptions>>().Value, cancellationToken)
        : Task.CompletedTask;
}
