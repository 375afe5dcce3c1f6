using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Checks at start-up that <c>Training:Algorithm</c> and <c>Training:Environment</c> name registered components, that the values are in
/// range, and that they work together: the group-relative estimators need groups of at least two trajectories.
/// </summary>
internal sealed class TrainingOptionsValidator(AdvantageEstimatorRegistry estimators, EnvironmentRegistry environments) : IValidateOptions<TrainingOptions>
{
    private static readonly HashSet<string> GroupRelative = ["gigpo", "grpo", "rloo", "reinforce_plus_plus_baseline"];

    public ValidateOptionsResult Validate(string? name, TrainingOptions options)
    {
        var failures = options.Validate().ToList();
        if (!estimators.TryGet(options.Algorithm, out var estimator))
            failures.Add(string.IsNullOrWhiteSpace(options.Algorithm)
                ? estimators.UnknownNameMessage(options.Algorithm)
                : $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)} = {estimators.UnknownNameMessage(options.Algorithm)}");
        if (environments.Names.Count > 0 && !environments.TryGet(options.Environment, out _))
            failures.Add($"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Environment)} = {environments.UnknownNameMessage(options.Environment)}");
        if (estimator is not null && GroupRelative.Contains(estimator.Name) && options.GroupSize < 2)
            failures.Add($"{TrainingOptions.SectionName}:{nameof(TrainingOptions.GroupSize)} = {options.GroupSize}: '{estimator.Name}' compares the trajectories of a group, so it needs at least 2.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
