using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Checks at start-up that the values of the <c>Training</c> section are in range and that <c>Training:Algorithm</c>,
/// <c>Training:Environment</c>, <c>Training:RolloutSource</c> and <c>Training:Policy</c> name registered components.
/// </summary>
internal sealed class TrainingOptionsValidator(
    AdvantageEstimatorRegistry estimators, EnvironmentRegistry environments, RolloutSourceRegistry sources, PolicyRegistry policies)
    : IValidateOptions<TrainingOptions>
{
    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = options.Validate().ToList();
        if (!estimators.TryGet(options.Algorithm, out _))
            failures.Add(string.IsNullOrWhiteSpace(options.Algorithm)
                ? estimators.UnknownNameMessage(options.Algorithm)
                : $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)} = {estimators.UnknownNameMessage(options.Algorithm)}");
        if (environments.Names.Count > 0 && !environments.TryGet(options.Environment, out _))
            failures.Add($"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Environment)} = {environments.UnknownNameMessage(options.Environment)}");
        if (!sources.TryGet(options.RolloutSource, out _))
            failures.Add($"{TrainingOptions.SectionName}:{nameof(TrainingOptions.RolloutSource)} = {sources.UnknownNameMessage(options.RolloutSource)}");
        if (!policies.TryGet(options.Policy, out _))
            failures.Add($"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Policy)} = {policies.UnknownNameMessage(options.Policy)}");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
