using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests.Data;

public sealed class RolloutBatchTests
{
    [Test]
    public void Rows_in_any_order_are_grouped_by_trajectory_in_step_order()
    {
        var batch = RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 1, Anchor = "b1", Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 5, Anchor = "a5", Reward = 1 },
            new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Anchor = "b0", Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 2, Anchor = "a2", Reward = 0, Active = true },
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 9, Anchor = "a9", Reward = 0, Active = false },
        ]);
        Assert.That(batch.TrajectoryIds, Is.EqualTo(new[] { "b", "a" }));
        Assert.That(batch.RowsOf(0).ToArray(), Is.EqualTo(new[] { 2, 0 }));
        Assert.That(batch.RowsOf(1).ToArray(), Is.EqualTo(new[] { 3, 1, 4 }));
        Assert.That(batch.ActiveRowsOf(1).ToArray(), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(batch.ActiveRowCount, Is.EqualTo(4));
        Assert.That(batch.TrajectoriesOf(0).ToArray(), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(batch.Fields, Is.EqualTo(RolloutFields.Anchors));
    }

    [Test]
    public void A_repeated_step_names_both_rows()
    {
        var e = Assert.Throws<InvalidRolloutBatchException>(() => RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 1, Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 1, Reward = 0 },
        ]));
        Assert.That(e!.Message, Does.Contain("step 1 twice").And.Contain("row 2").And.Contain("row 3"));
        Assert.That(e.RowIndex, Is.EqualTo(2));
    }

    [Test]
    public void A_trajectory_in_two_groups_is_refused()
    {
        var e = Assert.Throws<InvalidRolloutBatchException>(() => RolloutBatch.Create(
        [
            new StepRow { GroupId = "g1", TrajectoryId = "t", StepIndex = 0, Reward = 0 },
            new StepRow { GroupId = "g2", TrajectoryId = "t", StepIndex = 1, Reward = 0 },
        ]));
        Assert.That(e!.Message, Does.Contain("'g1'").And.Contain("'g2'"));
    }

    [Test]
    public void An_active_step_after_done_is_refused()
    {
        var e = Assert.Throws<InvalidRolloutBatchException>(() => RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 1, Reward = 0, Active = false },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 2, Reward = 0 },
        ]));
        Assert.That(e!.Message, Does.Contain("after inactive step 1"));
    }

    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void A_non_finite_reward_is_refused(double reward) =>
        Assert.Throws<InvalidRolloutBatchException>(() => new RolloutBatchBuilder().Add("g", "t", 0, null, reward));

    [Test]
    public void An_anchor_given_for_some_rows_only_is_refused()
    {
        var e = Assert.Throws<InvalidRolloutBatchException>(() => RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Anchor = "S", Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 1, Reward = 0 },
        ]));
        Assert.That(e!.Message, Does.StartWith("Row 2 has no anchor"));
    }

    [Test]
    public void Token_columns_are_packed_and_their_lengths_checked()
    {
        var batch = RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 0, PromptTokenIds = [1, 2, 3], ResponseTokenIds = [4, 5], OldLogProbs = [-0.5f, -1f] },
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 1, Reward = 0, PromptTokenIds = [1], ResponseTokenIds = [6], OldLogProbs = [-2f] },
        ]);
        Assert.That(batch.ResponseTokenIds![0].ToArray(), Is.EqualTo(new[] { 4, 5 }));
        Assert.That(batch.OldLogProbs![1].ToArray(), Is.EqualTo(new[] { -2f }));
        Assert.That(batch.ResponseLength(0), Is.EqualTo(2));
        Assert.That(batch.Fields, Is.EqualTo(RolloutFields.Tokens | RolloutFields.OldLogProbs));

        var e = Assert.Throws<InvalidRolloutBatchException>(() => RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 0, ResponseTokenIds = [4, 5], CriticValues = [1f] },
        ]));
        Assert.That(e!.Message, Does.Contain("1 critic values for 2 response tokens"));
    }

    [Test]
    public void Row_descriptions_can_name_file_lines()
    {
        var builder = new RolloutBatchBuilder { DescribeRow = row => $"line {row * 2 + 1}" };
        builder.Add("g", "t", 0, null, 0).Add("g", "t", 0, null, 0);
        var e = Assert.Throws<InvalidRolloutBatchException>(() => builder.Build());
        Assert.That(e!.Message, Does.Contain("line 1 and line 3"));
    }
}
