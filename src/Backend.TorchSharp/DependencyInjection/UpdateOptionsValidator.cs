using GiGpoNet.Backend.Training;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Policies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Backend.DependencyInjection;

/// <summary>
/// Checks the <c>Update</c> section at start-up: its values, that <c>Update:PolicyLoss</c> names a registered loss, and that reusing the
/// rollout's log-probabilities is asked for only when the learner itself samples the rollouts (<c>Training:Policy</c> names the learner).
/// </summary>
internal sealed class UpdateOptionsValidator(IServiceProvider services, PolicyLossRegistry losses) : IValidateOptions<UpdateOptions>
{
    public ValidateOptionsResult Validate(string? name, UpdateOptions options)
    {
        var failures = options.Validate().Select(f => $"{UpdateOptions.SectionName}:{f}").ToList();
        if (!losses.TryGet(options.PolicyLoss, out _))
            failures.Add($"{UpdateOptions.SectionName}:{nameof(UpdateOptions.PolicyLoss)} = {losses.UnknownNameMessage(options.PolicyLoss)}");
        if (options.ReuseRolloutLogProbs && TrainingSelection.SelectedPolicy(services) is { } policy
            && !services.GetRequiredKeyedService<IPolicyProvider>(policy.Name).IsLearner)
            failures.Add($"{UpdateOptions.SectionName}:{nameof(UpdateOptions.ReuseRolloutLogProbs)} assumes the rollout engine is the learner, and " +
                         $"Training:Policy = {policy.Name} samples with its own kernels (on a server): unset it (the learner recomputes the old " +
                         "log-probs; Update:RolloutIsThreshold corrects for the difference).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
