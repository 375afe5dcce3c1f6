using System.Diagnostics;
using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The built-in warm start: expert demonstrations (also the vocabulary of a from-scratch policy), supervised fine-tuning and an
/// evaluation. <see cref="CachedWarmStart"/> wraps it with the warm-start cache.
/// </summary>
internal sealed class ExpertWarmStart(WarmStartPlan plan, IEvaluator evaluator) : IWarmStart
{
    public async Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var demonstrations = await plan.DemonstrationsAsync(cancellationToken).ConfigureAwait(false);
        var learner = plan.Learners.Create(new LearnerStart(null, plan.Corpus(demonstrations), plan.Training.Seed));
        try
        {
            if (!plan.Trains) return new WarmStartResult(learner, double.NaN);
            var clock = Stopwatch.StartNew();
            var options = plan.Options;
            var losses = learner.WarmStart(demonstrations, new SupervisedSettings(options.Epochs, options.LearningRate, options.BatchSize, plan.Training.Seed),
                cancellationToken);
            var evaluation = await evaluator.EvaluateAsync(learner.Policy, cancellationToken).ConfigureAwait(false);
            var metrics = new Dictionary<string, double>(evaluation)
            {
                ["demonstration_steps"] = demonstrations.Count, ["sft_loss_first"] = losses[0], ["sft_loss_last"] = losses[^1], ["time_s"] = clock.Elapsed.TotalSeconds,
            };
            events.Report(new TrainingEvent(TrainingEventKind.WarmStart, 0, metrics, plan.Learners.WarmStartNote));
            return new WarmStartResult(learner, evaluation[MetricNames.SuccessRate]);
        }
        catch
        {
            learner.Dispose();
            throw;
        }
    }
}
