using System.Diagnostics;
using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Training;

/// <summary>The built-in iteration over the configured rollout source, estimator and learner, timing each phase.</summary>
internal sealed class RolloutTrainingStep : ITrainingStep
{
    private readonly IRolloutSource _source;
    private readonly TimedEstimation _estimation;
    private readonly TrainingOptions _training;

    /// <summary>The step of a training run: the rollout source and estimator the <c>Training</c> section names.</summary>
    public RolloutTrainingStep(SelectedParts parts, IOptions<TrainingOptions> training)
        : this(parts.RolloutSource(), parts.Estimator(), training.Value)
    {
    }

    internal RolloutTrainingStep(IRolloutSource source, IAdvantageEstimator estimator, TrainingOptions training)
    {
        _source = source;
        _estimation = new TimedEstimation(estimator);
        _training = training;
    }

    public async Task<IterationOutcome> RunAsync(ILearner learner, IPolicy policy, int iteration, long environmentStepsBefore,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var metrics = new Dictionary<string, double>();
        var phase = Stopwatch.StartNew();
        if (policy is IWeightSyncedPolicy synced)
        {
            await synced.SyncWeightsAsync(learner, cancellationToken).ConfigureAwait(false); // the rollout samples with the weights just trained
            metrics[MetricNames.WeightSyncSeconds] = phase.Elapsed.TotalSeconds;
            phase.Restart();
        }
        var collected = await _source.CollectAsync(policy,
            new RolloutRequest(_training.Groups, _training.GroupSize, DatasetSplit.Train, unchecked(_training.Seed * 100_003 + iteration), _training.Temperature),
            cancellationToken).ConfigureAwait(false);
        metrics[MetricNames.RolloutSeconds] = phase.Elapsed.TotalSeconds;
        EpisodeMetrics.Add(metrics, collected.Episodes);
        var environmentSteps = environmentStepsBefore + collected.Batch.ActiveRowCount;
        metrics[MetricNames.EnvironmentSteps] = environmentSteps;
        if (collected.Batch.RowCount == 0) return Skipped(metrics, environmentSteps); // every trajectory failed before its first step

        phase.Restart();
        var batch = learner.Prepare(collected.Batch);
        metrics[MetricNames.OldLogProbSeconds] = phase.Elapsed.TotalSeconds;

        var (advantages, estimation) = _estimation.Estimate(batch);
        metrics[MetricNames.AdvantageSeconds] = estimation.TotalSeconds;
        foreach (var (key, value) in advantages.Metrics) metrics[key] = value;
        var usable = AdvantageStatistics.Add(metrics, batch, advantages);

        phase.Restart();
        if (usable)
        {
            foreach (var (key, value) in learner.Update(batch, advantages)) metrics[key] = value;
        }
        else
        {
            metrics[MetricNames.SkippedSteps] = 1; // a non-finite advantage: this iteration's update is skipped, the weights are untouched
        }
        metrics[MetricNames.UpdateSeconds] = phase.Elapsed.TotalSeconds;
        var total = metrics[MetricNames.RolloutSeconds] + metrics[MetricNames.OldLogProbSeconds] + metrics[MetricNames.AdvantageSeconds] + metrics[MetricNames.UpdateSeconds];
        metrics[MetricNames.AdvantageTimeShare] = total > 0 ? metrics[MetricNames.AdvantageSeconds] / total : 0;
        return new IterationOutcome(metrics, environmentSteps);
    }

    /// <summary>An iteration with nothing to learn from: the weights are untouched.</summary>
    private static IterationOutcome Skipped(Dictionary<string, double> metrics, long environmentSteps)
    {
        metrics[MetricNames.SkippedSteps] = 1;
        foreach (var name in new[] { MetricNames.OldLogProbSeconds, MetricNames.AdvantageSeconds, MetricNames.UpdateSeconds, MetricNames.AdvantageTimeShare })
            metrics[name] = 0;
        return new IterationOutcome(metrics, environmentSteps);
    }
}
