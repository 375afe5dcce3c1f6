using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// One RL iteration: collect G × N trajectories, let the learner prepare the batch (old log-probabilities, critic values), estimate
/// the advantages, update. Replace it with <c>services.AddSingleton&lt;ITrainingStep, MyStep&gt;()</c>.
/// </summary>
public interface ITrainingStep
{
    /// <summary>Runs iteration <paramref name="iteration"/> (1-based); returns its metrics and the run's environment steps after it.</summary>
    Task<IterationOutcome> RunAsync(ILearner learner, IPolicy policy, int iteration, long environmentStepsBefore, CancellationToken cancellationToken = default);
}

/// <summary>What an iteration measured.</summary>
/// <param name="Metrics">Its metrics, in the order they are recorded.</param>
/// <param name="EnvironmentSteps">The run's training environment steps after it.</param>
public sealed record IterationOutcome(Dictionary<string, double> Metrics, long EnvironmentSteps);
