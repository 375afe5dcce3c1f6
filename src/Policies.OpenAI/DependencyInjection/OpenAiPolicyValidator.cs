using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Policies.OpenAI.DependencyInjection;

/// <summary>
/// At start-up, when <c>Training:Policy</c> is <c>openai</c>: the <c>Policies:openai</c> section's values (the server itself is
/// <see cref="OpenAiServerCheck"/>'s).
/// </summary>
internal sealed class OpenAiPolicyValidator(IServiceProvider services) : IValidateOptions<OpenAiPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAiPolicyOptions options)
    {
        if (!IsSelected(services)) return ValidateOptionsResult.Skip;
        var failures = options.Validate().ToList();
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }

    /// <summary>Whether <c>Training:Policy</c> names the <c>openai</c> policy (false while the Training section is itself invalid).</summary>
    internal static bool IsSelected(IServiceProvider services) => TrainingSelection.SelectedPolicy(services)?.Name == OpenAiPolicyProvider.Name;
}
