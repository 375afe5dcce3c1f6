using GiGpoNet.Environments.Rollouts;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Backend.DependencyInjection;

/// <summary>
/// Checks the <c>Policy</c> section at start-up, a pretrained <c>Policy:Path</c> against the context a turn needs (its prompt limit plus
/// <c>Rollout:MaxNewTokens</c>).
/// </summary>
internal sealed class PolicyModelOptionsValidator(IServiceProvider services) : IValidateOptions<PolicyModelOptions>
{
    public ValidateOptionsResult Validate(string? name, PolicyModelOptions options)
    {
        int response;
        try
        {
            response = ((IOptions<RolloutOptions>)services.GetService(typeof(IOptions<RolloutOptions>))!).Value.MaxNewTokens;
        }
        catch (OptionsValidationException)
        {
            response = 0; // the Rollout section's own validation reports it
        }
        var failures = options.Validate(response).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
