using System.Diagnostics;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using GiGpoNet.Learning;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The built-in warm start: expert demonstrations (also the vocabulary of a from-scratch policy), supervised fine-tuning, an evaluation,
/// and the warm-start cache (<c>WarmStart:CacheDirectory</c>), where runs that share a warm start take turns: one trains and stores it,
/// the others load it.
/// </summary>
internal sealed class ExpertWarmStart(SelectedParts parts, IPromptBuilder prompts, IEpisodeMemoryFactory memories, IOptions<RolloutOptions> rollout,
    IOptions<WarmStartOptions> warmStart, IOptions<TrainingOptions> training, IEvaluator evaluator) : IWarmStart
{
    private readonly IEnvironmentFactory _environment = parts.Environment();
    private readonly RolloutOptions _rollout = rollout.Value;
    private readonly WarmStartOptions _warmStart = warmStart.Value;
    private readonly TrainingOptions _training = training.Value;
    private readonly ILearnerFactory _learners = parts.LearnerFactory();

    public async Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        // A pretrained policy (its learner needs no corpus) is not warm-started unless WarmStart:Enabled asks for it.
        var warmStarting = (_warmStart.Enabled ?? _learners.CorpusDemonstrations > 0) && _warmStart.Episodes > 0 && _warmStart.Epochs > 0;
        var count = Math.Max(warmStarting ? _warmStart.Episodes : 0, _learners.CorpusDemonstrations);
        var demonstrations = count == 0 ? []
            : await ExpertDemonstrations.CollectAsync(_environment, prompts, memories, _rollout, count, unchecked(_training.Seed * 31 + 5), cancellationToken,
                _warmStart.ExplorationRate).ConfigureAwait(false);

        var entry = warmStarting && !string.IsNullOrWhiteSpace(_warmStart.CacheDirectory)
            ? Path.Combine(_warmStart.CacheDirectory, WarmStartCache.Key(demonstrations, _learners.WarmStartIdentity, _warmStart with { CacheDirectory = "" },
                _training.Seed, _training.EvaluationTasks, _training.EvaluationTemperature, _rollout))
            : null;
        var cached = entry is null ? null : WarmStartCache.TryLoadMetrics(entry);
        var turn = entry is not null && cached is null ? WarmStartCache.TryTakeTurn(entry) : null;
        if (entry is not null && cached is null && turn is null)
        {
            events.Report(new TrainingEvent(TrainingEventKind.WaitingForWarmStart, 0, new Dictionary<string, double>()));
            turn = await WarmStartCache.TakeTurnAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        using var heldTurn = turn;
        if (turn is not null) cached = WarmStartCache.TryLoadMetrics(entry!);

        var corpus = demonstrations.SelectMany(d => new[] { d.Prompt, d.Response }).Append(_environment.Description.AgentRole).ToList();
        var learner = _learners.Create(new LearnerStart(cached is not null ? WarmStartCache.PolicyFolder(entry!) : null, corpus, _training.Seed));
        try
        {
            if (cached is not null)
            {
                events.Report(new TrainingEvent(TrainingEventKind.WarmStart, 0, new Dictionary<string, double>(cached) { ["cached"] = 1 }));
                return new WarmStartResult(learner, cached[MetricNames.SuccessRate]);
            }
            if (!warmStarting) return new WarmStartResult(learner, double.NaN);
            var clock = Stopwatch.StartNew();
            var losses = learner.WarmStart(demonstrations,
                new SupervisedSettings(_warmStart.Epochs, _warmStart.LearningRate, _warmStart.BatchSize, _training.Seed), cancellationToken);
            var evaluation = await evaluator.EvaluateAsync(learner.Policy, cancellationToken).ConfigureAwait(false);
            var metrics = new Dictionary<string, double>(evaluation)
            {
                ["demonstration_steps"] = demonstrations.Count, ["sft_loss_first"] = losses[0], ["sft_loss_last"] = losses[^1], ["time_s"] = clock.Elapsed.TotalSeconds,
            };
            var cacheWarning = entry is null ? null : WarmStartCache.Store(entry, learner.SavePolicy, metrics);
            var warning = string.Join(" ", new[] { _learners.WarmStartNote, cacheWarning }.Where(w => w is not null));
            events.Report(new TrainingEvent(TrainingEventKind.WarmStart, 0, metrics, warning.Length == 0 ? null : warning));
            return new WarmStartResult(learner, evaluation[MetricNames.SuccessRate]);
        }
        catch
        {
            learner.Dispose();
            throw;
        }
    }
}
