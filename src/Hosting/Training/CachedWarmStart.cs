using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The warm-start cache (<c>WarmStart:CacheDirectory</c>) around a warm start: runs that share a warm start (the cells of an ablation
/// that differ only after it) take turns, one trains it through the wrapped warm start and stores it, the others load it. Without a
/// cache folder, or when nothing is trained, it only delegates.
/// </summary>
internal sealed class CachedWarmStart(IWarmStart inner, WarmStartPlan plan) : IWarmStart
{
    public async Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        var options = plan.Options;
        if (!plan.Trains || string.IsNullOrWhiteSpace(options.CacheDirectory)) return await inner.RunAsync(events, cancellationToken).ConfigureAwait(false);

        var demonstrations = await plan.DemonstrationsAsync(cancellationToken).ConfigureAwait(false);
        var training = plan.Training;
        var entry = Path.Combine(options.CacheDirectory, WarmStartCache.Key(demonstrations, plan.Learners.WarmStartIdentity, options with { CacheDirectory = "" },
            training.Seed, training.EvaluationTasks, training.EvaluationTemperature, plan.Rollout));
        var cached = WarmStartCache.TryLoadMetrics(entry);
        var turn = cached is null ? WarmStartCache.TryTakeTurn(entry) : null;
        if (cached is null && turn is null)
        {
            events.Report(new TrainingEvent(TrainingEventKind.WaitingForWarmStart, 0, new Dictionary<string, double>()));
            turn = await WarmStartCache.TakeTurnAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        using var heldTurn = turn;
        if (turn is not null) cached = WarmStartCache.TryLoadMetrics(entry);
        if (cached is not null)
        {
            var learner = plan.Learners.Create(new LearnerStart(WarmStartCache.PolicyFolder(entry), plan.Corpus(demonstrations), training.Seed));
            events.Report(new TrainingEvent(TrainingEventKind.WarmStart, 0, new Dictionary<string, double>(cached) { ["cached"] = 1 }));
            return new WarmStartResult(learner, cached[MetricNames.SuccessRate]);
        }

        // Trained here: the warm start's event waits until the policy is stored, so that it can say when that failed.
        TrainingEvent? trained = null;
        var result = await inner.RunAsync(new ActionProgress<TrainingEvent>(e =>
        {
            if (e.Kind == TrainingEventKind.WarmStart) trained = e;
            else events.Report(e);
        }), cancellationToken).ConfigureAwait(false);
        if (trained is null) return result;
        try
        {
            var cacheWarning = WarmStartCache.Store(entry, result.Learner.SavePolicy, trained.Metrics);
            var warning = string.Join(" ", new[] { trained.Warning, cacheWarning }.Where(w => w is not null));
            events.Report(trained with { Warning = warning.Length == 0 ? null : warning });
            return result;
        }
        catch
        {
            result.Learner.Dispose();
            throw;
        }
    }
}
