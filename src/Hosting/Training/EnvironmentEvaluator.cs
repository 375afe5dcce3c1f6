using GiGpoNet.Environments;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Training;

/// <summary>Evaluates in the environment loop (the built-in <c>environment</c> rollout source), whatever source training collects from.</summary>
internal sealed class EnvironmentEvaluator(
    [FromKeyedServices(RolloutSourceRegistry.Environment)] IRolloutSource environmentLoop, IOptions<TrainingOptions> training) : IEvaluator
{
    private readonly TrainingOptions _training = training.Value;

    public async Task<Dictionary<string, double>> EvaluateAsync(IPolicy policy, CancellationToken cancellationToken = default)
    {
        var result = await environmentLoop.CollectAsync(policy,
            new RolloutRequest(_training.EvaluationTasks, 1, DatasetSplit.Validation, AgentTrainer.EvaluationSeed, _training.EvaluationTemperature),
            cancellationToken).ConfigureAwait(false);
        return EpisodeMetrics.Of(result.Episodes);
    }
}
