using GiGpoNet.Hosting.Training;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Hosting.Tests.Training;

public sealed class EpisodeMetricsTests
{
    private static EpisodeOutcome Episode(string group, double @return, double? score = null) =>
        new(group, Guid.NewGuid().ToString(), "t", @return >= 10, score, 3, @return, 0, false, null);

    [Test]
    public void The_uniform_group_fraction_counts_groups_whose_returns_are_all_equal()
    {
        var metrics = EpisodeMetrics.Of(
        [
            Episode("a", 0), Episode("a", 0), Episode("a", 0),       // all failed: uniform
            Episode("b", 10), Episode("b", 0),                       // one success: not uniform
            Episode("c", 10), Episode("c", 10),                      // all won: uniform
            Episode("d", 4.5, 0.45), Episode("d", 6.0, 0.6),         // graded scores that differ: not uniform
            Episode("e", 0),                                         // a group of one has no advantage to speak of: not counted
        ]);
        Assert.That(metrics[MetricNames.UniformGroupFraction], Is.EqualTo(0.5));
        Assert.That(metrics["task_score_mean"], Is.EqualTo((0.45 + 0.6) / 10).Within(1e-12));
    }

    [Test]
    public void Episodes_that_are_each_their_own_group_give_no_uniform_group_fraction()
    {
        var metrics = EpisodeMetrics.Of([Episode("a", 0), Episode("b", 10)]);
        Assert.That(metrics.ContainsKey(MetricNames.UniformGroupFraction), Is.False, "evaluation plays each task once");
    }
}
