using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Policies.OpenAI.DependencyInjection;

/// <summary>
/// At start-up, when <c>Training:Policy</c> is <c>openai</c>: the <c>Policies:openai</c> section's values, and the server itself (it
/// serves the model and answers token ids and log-probs), before any work.
/// </summary>
internal sealed class OpenAiPolicyValidator(IServiceProvider services) : IValidateOptions<OpenAiPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAiPolicyOptions options)
    {
        TrainingOptions training;
        try
        {
            training = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // reported by those sections' own validation
        }
        if (!services.GetRequiredService<PolicyRegistry>().TryGet(training.Policy, out var policy) || policy.Name != OpenAiPolicyProvider.Name)
            return ValidateOptionsResult.Skip;
        var failures = options.Validate().ToList();
        if (failures.Count > 0) return ValidateOptionsResult.Fail(failures);
        try
        {
            OpenAiPolicy.CheckServerAsync(options).GetAwaiter().GetResult();
            return ValidateOptionsResult.Success;
        }
        catch (GiGpoNetConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
