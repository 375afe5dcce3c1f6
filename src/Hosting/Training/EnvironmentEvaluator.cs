using GiGpoNet.Environments;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Hosting.Training;

/// <summary>Evaluates in the environment loop (the built-in <c>environment</c> rollout source), whatever source training collects from.</summary>
internal sealed class EnvironmentEvaluator(IRolloutSource environmentLoop, TrainingOptions training) : IEvaluator
{
    public async Task<Dictionary<string, double>> EvaluateAsync(IPolicy policy, CancellationToken cancellationToken = default)
    {
        var result = await environmentLoop.CollectAsync(policy,
            new RolloutRequest(training.EvaluationTasks, 1, DatasetSplit.Validation, AgentTrainer.EvaluationSeed, training.EvaluationTemperature),
            cancellationToken).ConfigureAwait(false);
        return EpisodeMetrics.Of(result.Episodes);
    }
}
