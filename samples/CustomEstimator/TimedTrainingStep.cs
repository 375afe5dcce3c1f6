using System.Diagnostics;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace CustomEstimator;

/// <summary>
/// A part wrapped, not replaced: the built-in training step runs as before, and each iteration's metrics gain its wall-clock time
/// (<see cref="MetricName"/>, in metrics.jsonl and TensorBoard). Registered with <c>.Decorate&lt;ITrainingStep&gt;((inner, _) =&gt; new TimedTrainingStep(inner))</c>.
/// </summary>
public sealed class TimedTrainingStep(ITrainingStep inner) : ITrainingStep
{
    /// <summary>The metric it adds.</summary>
    public const string MetricName = "sample/iteration_wall_s";

    public async Task<IterationOutcome> RunAsync(ILearner learner, IPolicy policy, int iteration, long environmentStepsBefore,
        CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var outcome = await inner.RunAsync(learner, policy, iteration, environmentStepsBefore, cancellationToken);
        outcome.Metrics[MetricName] = clock.Elapsed.TotalSeconds;
        return outcome;
    }
}
