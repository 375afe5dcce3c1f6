using GiGpoNet.Policies;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Measures a policy on the held-out tasks: <c>Training:EvaluationTasks</c> validation tasks, one trajectory each, at
/// <c>Training:EvaluationTemperature</c>, the same tasks every time. Replace it with <c>services.AddSingleton&lt;IEvaluator, MyEvaluator&gt;()</c>.
/// </summary>
public interface IEvaluator
{
    /// <summary>The policy's success rates, rewards and lengths (<see cref="EpisodeMetrics"/>).</summary>
    Task<Dictionary<string, double>> EvaluateAsync(IPolicy policy, CancellationToken cancellationToken = default);
}
