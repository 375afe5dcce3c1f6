using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Environments;
using GiGpoNet.Hosting.DependencyInjection;
using GiGpoNet.Learning;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Checks at start-up, by the parts' declared capabilities and not by their names, that the chosen estimator, rollout source and learner
/// work together: the estimator's required columns are filled by the source or the learner, the learner's by the source, and the
/// groups are as large as the estimator needs. It validates <see cref="TrainingComposition"/>, not <see cref="TrainingOptions"/>, because
/// it resolves the parts, and they read the validated <c>Training</c> section; names that are not registered and values out of range are
/// left to <see cref="TrainingOptionsValidator"/>.
/// </summary>
internal sealed class CompositionValidator(IServiceProvider services) : IValidateOptions<TrainingComposition>
{
    public ValidateOptionsResult Validate(string? name, TrainingComposition composition)
    {
        TrainingOptions options;
        try
        {
            options = services.GetRequiredService<IOptions<TrainingOptions>>().Value;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // reported by the Training section's own validation
        }
        var registry = services.GetRequiredService<AdvantageEstimatorRegistry>();
        if (!registry.TryGet(options.Algorithm, out var registration) || !services.GetRequiredService<RolloutSourceRegistry>().TryGet(options.RolloutSource, out var sourceName)
            || !services.GetRequiredService<EnvironmentRegistry>().TryGet(options.Environment, out _))
            return ValidateOptionsResult.Skip;
        IAdvantageEstimator estimator;
        IRolloutSource source;
        LearnerCapabilities learner;
        try
        {
            // A host without a learner (one that only estimates advantages) trains nothing; AgentTrainer says what to add if asked for.
            if (services.GetService<ILearnerFactory>() is not { } learners) return ValidateOptionsResult.Skip;
            var parts = services.GetRequiredService<SelectedParts>();
            estimator = parts.Estimator();
            source = parts.RolloutSource();
            learner = learners.Capabilities;
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // a part's own options are invalid: reported by their validation
        }
        var failures = Failures(registration.Name, estimator, sourceName.Name, source.ProvidedFields, learner, options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Failures(string estimatorName, IAdvantageEstimator estimator, string sourceName, RolloutFields sourceFields,
        LearnerCapabilities learner, TrainingOptions options)
    {
        var unfilled = estimator.RequiredFields & ~(sourceFields | learner.Provides);
        if (unfilled != RolloutFields.None)
            yield return $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)} = {estimatorName} needs {Describe(unfilled)}, which neither the rollout source " +
                         $"'{sourceName}' nor the learner '{learner.Name}' provides: choose another {TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)}, " +
                         $"or a {TrainingOptions.SectionName}:{nameof(TrainingOptions.RolloutSource)} that provides them.";
        var missing = learner.Requires & ~sourceFields;
        if (missing != RolloutFields.None)
            yield return $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.RolloutSource)} = {sourceName} does not provide {Describe(missing)}, which the learner " +
                         $"'{learner.Name}' trains on: choose a rollout source that records them, or register a learner that does without.";
        if (options.GroupSize < estimator.MinimumGroupSize)
            yield return $"{TrainingOptions.SectionName}:{nameof(TrainingOptions.GroupSize)} = {options.GroupSize}: '{estimatorName}' compares the trajectories " +
                         $"of a group, so it needs at least {estimator.MinimumGroupSize}.";
    }

    private static string Describe(RolloutFields fields) => string.Join(" and ", Enum.GetValues<RolloutFields>()
        .Where(f => f != RolloutFields.None && fields.HasFlag(f))
        .Select(f => f switch
        {
            RolloutFields.Anchors => "anchor observations",
            RolloutFields.Tokens => "token ids",
            RolloutFields.OldLogProbs => "old log-probabilities",
            RolloutFields.CriticValues => "critic values",
            RolloutFields.RolloutLogProbs => "the rollout's model log-probabilities",
            _ => f.ToString(),
        }));
}

/// <summary>The options type whose start-up validation is <see cref="CompositionValidator"/>; it has no settings.</summary>
internal sealed class TrainingComposition;
