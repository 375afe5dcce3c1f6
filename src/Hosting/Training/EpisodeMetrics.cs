using GiGpoNet.Rollouts;

namespace GiGpoNet.Hosting.Training;

/// <summary>Success rates (overall and per task type), rewards, lengths and failure counts of a set of episodes.</summary>
public static class EpisodeMetrics
{
    /// <summary>Adds the episodes' figures to <paramref name="metrics"/>.</summary>
    public static void Add(IDictionary<string, double> metrics, IReadOnlyList<EpisodeOutcome> episodes)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(episodes);
        if (episodes.Count == 0) return;
        metrics[MetricNames.SuccessRate] = episodes.Average(e => e.Won ? 1.0 : 0.0);
        metrics[MetricNames.EpisodeRewardMean] = episodes.Average(e => e.Return);
        metrics[MetricNames.EpisodeLengthMean] = episodes.Average(e => e.Length);
        var steps = episodes.Sum(e => e.Length);
        metrics[MetricNames.InvalidActionRate] = steps == 0 ? 0 : (double)episodes.Sum(e => e.InvalidActions) / steps;
        metrics[MetricNames.TruncatedRate] = episodes.Average(e => e.Truncated ? 1.0 : 0.0);
        metrics[MetricNames.EnvironmentFailures] = episodes.Count(e => e.Failure is not null);
        if (episodes.Any(e => e.Score is not null)) metrics[MetricNames.TaskScoreMean] = episodes.Average(e => e.Score ?? 0);
        var groups = episodes.GroupBy(e => e.GroupId).Where(g => g.Count() > 1).ToList();
        if (groups.Count > 0) metrics[MetricNames.UniformGroupFraction] = groups.Average(g => g.All(e => e.Return == g.First().Return) ? 1.0 : 0.0);
        foreach (var type in episodes.GroupBy(e => e.TaskType))
            metrics[$"success_rate/{type.Key}"] = type.Average(e => e.Won ? 1.0 : 0.0);
    }

    /// <summary>The figures of <paramref name="episodes"/> as a new dictionary.</summary>
    public static Dictionary<string, double> Of(IReadOnlyList<EpisodeOutcome> episodes)
    {
        var metrics = new Dictionary<string, double>();
        Add(metrics, episodes);
        return metrics;
    }
}
