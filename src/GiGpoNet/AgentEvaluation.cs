using GiGpoNet.Environments;

namespace GiGpoNet;

/// <summary>
/// An agent's evaluation (<see cref="AgentContext.EvaluateAsync"/>): what <c>gigpo eval</c> prints, overall and per task type.
/// </summary>
/// <param name="Environment">The environment's name.</param>
/// <param name="Split">The tasks' split.</param>
/// <param name="Tasks">How many tasks ran (one episode each).</param>
/// <param name="Metrics"><c>success_rate</c>, <c>success_rate/&lt;task type&gt;</c>, <c>episode_reward_mean</c>, <c>episode_length_mean</c>,
/// <c>invalid_action_rate</c>, ... by name.</param>
public sealed record AgentEvaluation(string Environment, DatasetSplit Split, int Tasks, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>The share of tasks solved.</summary>
    public double SuccessRate => Metrics.GetValueOrDefault("success_rate", double.NaN);
}
