using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

/// <summary>GiGPO's diagnostic of what its step groups compare: how many distinct actions meet at a recurring state.</summary>
public sealed class StepGroupActionsTests
{
    /// <summary>
    /// One task, three trajectories. At "start" two take "open" and one "look"; at "hall" all three take "go"; the third also visits
    /// "attic" alone.
    /// </summary>
    private static RolloutBatch Batch(bool withActions)
    {
        (string Trajectory, int Step, string Anchor, string Action, double Reward)[] rows =
        [
            ("t0", 0, "start", "open", 0), ("t0", 1, "hall", "go", 10),
            ("t1", 0, "start", "open", 0), ("t1", 1, "hall", "go", 0),
            ("t2", 0, "start", "look", 0), ("t2", 1, "hall", "go", 0), ("t2", 2, "attic", "wait", 3),
        ];
        return RolloutBatch.Create(rows.Select(r => new StepRow
        {
            GroupId = "task", TrajectoryId = r.Trajectory, StepIndex = r.Step, Anchor = r.Anchor, Action = withActions ? r.Action : null, Reward = r.Reward,
        }));
    }

    [Test]
    public void Counts_the_step_groups_that_hold_different_actions_and_where_the_step_level_lies()
    {
        var batch = Batch(withActions: true);
        var result = new GiGpoAdvantageEstimator(new GiGpoOptions { Mode = Advantages.AdvantageNormalization.MeanStdNorm }).Estimate(batch);
        var metrics = result.Metrics;

        Assert.That(metrics["step_groups"], Is.EqualTo(3));
        Assert.That(metrics["step_group_multi_action_share"], Is.EqualTo(1.0 / 3), "only 'start' holds two actions");
        Assert.That(metrics["step_row_multi_action_share"], Is.EqualTo(3.0 / 7));
        Assert.That(metrics["step_group_distinct_actions_mean"], Is.EqualTo((2.0 + 1 + 1) / 3));
        var start = -(2.0 / 3 * Math.Log(2.0 / 3) + 1.0 / 3 * Math.Log(1.0 / 3));
        Assert.That(metrics["step_group_action_entropy_mean"], Is.EqualTo((start + 0) / 2).Within(1e-12), "over 'start' and 'hall'; 'attic' has one row");

        var step = result.Column("step_adv")!;
        var atStart = Enumerable.Range(0, batch.RowCount).Where(r => batch.Anchors[r] == "start").Sum(r => step[r] * step[r]);
        var all = step.Sum(a => a * a);
        Assert.That(all, Is.GreaterThan(0));
        Assert.That(metrics["step_adv_sq_multi_action_share"], Is.EqualTo(atStart / all).Within(1e-12));
    }

    [Test]
    public void A_batch_without_actions_reports_no_diagnostic_and_the_same_advantages()
    {
        var estimator = new GiGpoAdvantageEstimator(new GiGpoOptions());
        var without = estimator.Estimate(Batch(withActions: false));
        var with = estimator.Estimate(Batch(withActions: true));
        Assert.That(without.Metrics.Keys, Has.None.StartWith("step_group_multi_action"));
        Assert.That(with.RowAdvantages, Is.EqualTo(without.RowAdvantages), "the actions only observe");
    }

    [Test]
    public void Actions_are_given_for_every_row_or_none()
    {
        var builder = new RolloutBatchBuilder();
        builder.Add(new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Anchor = "s", Action = "x" });
        builder.Add(new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Anchor = "s" });
        var error = Assert.Throws<InvalidRolloutBatchException>(() => builder.Build())!;
        Assert.That(error.Message, Does.Contain("has no action but row 1 has one"));
    }
}
