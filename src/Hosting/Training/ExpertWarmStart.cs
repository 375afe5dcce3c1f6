using System.Diagnostics;
using System.Runtime.CompilerServices;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The built-in warm start: expert demonstrations (also the vocabulary of a from-scratch policy), supervised fine-tuning, an evaluation,
/// and the warm-start cache (<c>WarmStart:CacheDirectory</c>), where runs that share a warm start take turns: one trains and stores it,
/// the others load it.
/// </summary>
internal sealed class ExpertWarmStart(
    IEnvironmentFactory environment, IPromptBuilder prompts, IEpisodeMemoryFactory memories, RolloutOptions rollout, WarmStartOptions warmStart,
    TrainingOptions training, ILearnerFactory learners, IEvaluator evaluator) : IWarmStart
{
    public async IAsyncEnumerable<TrainingEvent> RunAsync(WarmStartOutcome outcome, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // A pretrained policy (its learner needs no corpus) is not warm-started unless WarmStart:Enabled asks for it.
        var warmStarting = (warmStart.Enabled ?? learners.CorpusDemonstrations > 0) && warmStart.Episodes > 0 && warmStart.Epochs > 0;
        var count = Math.Max(warmStarting ? warmStart.Episodes : 0, learners.CorpusDemonstrations);
        var demonstrations = count == 0 ? []
            : await ExpertDemonstrations.CollectAsync(environment, prompts, memories, rollout, count, unchecked(training.Seed * 31 + 5), cancellationToken,
                warmStart.ExplorationRate).ConfigureAwait(false);

        var entry = warmStarting && !string.IsNullOrWhiteSpace(warmStart.CacheDirectory)
            ? Path.Combine(warmStart.CacheDirectory, WarmStartCache.Key(demonstrations, learners.WarmStartIdentity, warmStart with { CacheDirectory = "" },
                training.Seed, training.EvaluationTasks, training.EvaluationTemperature, rollout))
            : null;
        var cached = entry is null ? null : WarmStartCache.TryLoadMetrics(entry);
        var turn = entry is not null && cached is null ? WarmStartCache.TryTakeTurn(entry) : null;
        if (entry is not null && cached is null && turn is null)
        {
            yield return new TrainingEvent(TrainingEventKind.WaitingForWarmStart, 0, new Dictionary<string, double>());
            turn = await WarmStartCache.TakeTurnAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        using var heldTurn = turn;
        if (turn is not null) cached = WarmStartCache.TryLoadMetrics(entry!);

        var corpus = demonstrations.SelectMany(d => new[] { d.Prompt, d.Response }).Append(environment.Description.AgentRole).ToList();
        var learner = outcome.Learner = learners.Create(new LearnerStart(cached is not null ? WarmStartCache.PolicyFolder(entry!) : null, corpus, training.Seed));
        if (cached is not null)
        {
            outcome.Success = cached[MetricNames.SuccessRate];
            yield return new TrainingEvent(TrainingEventKind.WarmStart, 0, new Dictionary<string, double>(cached) { ["cached"] = 1 });
        }
        else if (warmStarting)
        {
            var clock = Stopwatch.StartNew();
            var losses = learner.WarmStart(demonstrations,
                new SupervisedSettings(warmStart.Epochs, warmStart.LearningRate, warmStart.BatchSize, training.Seed), cancellationToken);
            var evaluation = await evaluator.EvaluateAsync(learner.Policy, cancellationToken).ConfigureAwait(false);
            outcome.Success = evaluation[MetricNames.SuccessRate];
            var metrics = new Dictionary<string, double>(evaluation)
            {
                ["demonstration_steps"] = demonstrations.Count, ["sft_loss_first"] = losses[0], ["sft_loss_last"] = losses[^1], ["time_s"] = clock.Elapsed.TotalSeconds,
            };
            var cacheWarning = entry is null ? null : WarmStartCache.Store(entry, learner.SavePolicy, metrics);
            var warning = string.Join(" ", new[] { learners.WarmStartNote, cacheWarning }.Where(w => w is not null));
            yield return new TrainingEvent(TrainingEventKind.WarmStart, 0, metrics, warning.Length == 0 ? null : warning);
        }
    }
}
