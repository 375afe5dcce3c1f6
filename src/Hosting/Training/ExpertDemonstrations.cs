using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>(prompt, response) pairs from the environment's expert, built with the same prompt and memory the rollout loop uses.</summary>
public static class ExpertDemonstrations
{
    /// <summary>
    /// Runs the expert on <paramref name="episodes"/> training tasks. With <paramref name="explorationRate"/> &gt; 0 the steps are
    /// noise-injected as in DART (Laskey et al., 2017): at that rate a random admissible action is carried out instead of the expert's,
    /// while every visited state is still labelled with the expert's action, so that the policy also learns to recover from mistakes
    /// (a "Nothing happens.", a wrong receptacle) that pure expert trajectories never show. An episode whose noise leads to a state the
    /// expert cannot solve any more ends there; the states before it keep their labels.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The environment has no expert.</exception>
    /// <exception cref="InvalidOperationException">The environment failed before any step was demonstrated (a failure ends its episode).</exception>
    public static async Task<List<Demonstration>> CollectAsync(IEnvironmentFactory factory, IPromptBuilder prompts,
        IEpisodeMemoryFactory memories, RolloutOptions options, int episodes, long seed, CancellationToken cancellationToken,
        double explorationRate = 0)
    {
        var pairs = new List<Demonstration>();
        var noise = new Random(unchecked((int)(seed ^ (seed >> 32)) ^ 0x5DA7));
        var maxSteps = options.MaxSteps > 0 ? options.MaxSteps : factory.Description.DefaultMaxSteps;
        Exception? firstFailure = null;
        var failed = 0;
        for (var episode = 0; episode < episodes; episode++)
        {
            await using var environment = factory.Create();
            if (environment is not IExpertEnvironment expert)
                throw new GiGpoNetConfigurationException(
                    $"The environment '{factory.Description.Name}' has no expert to learn from; set WarmStart:Episodes=0 (and give Policy:Path a pretrained model).");
            // An environment that fails (a remote one, or a retriever behind it) ends that episode, as it does in a rollout; its steps so far stay.
            try
            {
                var memory = memories.Create();
                var observation = await environment.ResetAsync(new EnvironmentReset(EnvironmentRolloutSource.TaskSeed(seed, episode), DatasetSplit.Train),
                    cancellationToken);
                for (var step = 0; step < maxSteps; step++)
                {
                    if (expert.ExpertAction() is not { } action) break; // a dead state (an exploratory step made the task unsolvable)
                    pairs.Add(new Demonstration(prompts.Build(new PromptContext(factory.Description, observation, memory, options.HistoryLength)),
                        AnswerFormat.For(action, options.RequireThinkTags)));
                    if (explorationRate > 0 && observation.AdmissibleActions is { Count: > 0 } admissible && noise.NextDouble() < explorationRate)
                        action = admissible[noise.Next(admissible.Count)];
                    var outcome = await environment.StepAsync(action, cancellationToken);
                    memory.Add(observation.Text, action);
                    observation = outcome.Observation;
                    if (outcome.Done) break;
                }
            }
            catch (Exception e) when (e is not (OperationCanceledException or GiGpoNetConfigurationException))
            {
                firstFailure ??= e;
                failed++;
            }
        }
        if (failed > 0 && pairs.Count == 0)
            throw new InvalidOperationException($"The environment '{factory.Description.Name}' failed in {failed} of the {episodes} expert episodes before " +
                $"a single step could be learned from, the first with: {firstFailure!.Message}", firstFailure);
        return pairs;
    }
}
