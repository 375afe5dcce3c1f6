using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Running;

/// <summary>An agent's episodes on an environment's tasks, measured as <c>gigpo eval</c> measures them.</summary>
internal static class PolicyEvaluation
{
    /// <summary>Sections of the agent's own settings that an evaluation keeps: how its prompts are built and how its model is loaded.</summary>
    private static readonly string[] KeptSections = [RolloutOptions.SectionName, Backend.PolicyModelOptions.SectionName, Backend.BackendOptions.SectionName];

    public static async Task<AgentEvaluation> RunAsync(AgentServices services, TrainedAgent agent, EnvironmentChoice environment, EvaluationRequest request,
        CancellationToken cancellationToken)
    {
        var settings = agent.Settings.Where(p => KeptSections.Any(s => p.Key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase)))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in environment.Settings) settings[key] = value;
        settings[$"{Hosting.Configuration.TrainingOptions.SectionName}:Environment"] = environment.Name;

        await using var provider = services.Build(settings);
        var factory = provider.GetRequiredKeyedService<IEnvironmentFactory>(environment.Name);
        var source = provider.GetRequiredKeyedService<IRolloutSource>(RolloutSourceRegistry.Environment); // the rollout loop on Training:Environment
        using var learner = provider.GetRequiredService<ILearnerFactory>().Create(new LearnerStart(agent.PolicyFolder, [], 0));
        var result = await source.CollectAsync(learner.Policy,
            new RolloutRequest(request.Tasks, 1, request.Split, AgentTrainer.EvaluationSeed, request.Temperature), cancellationToken).ConfigureAwait(false);
        return new AgentEvaluation(factory.Description.Name, request.Split, result.Episodes.Count, EpisodeMetrics.Of(result.Episodes));
    }
}
