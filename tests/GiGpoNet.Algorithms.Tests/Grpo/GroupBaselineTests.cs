using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.Grpo;

namespace GiGpoNet.Algorithms.Tests.Grpo;

public sealed class GroupBaselineTests
{
    private const double Tolerance = 1e-12;

    // One-step trajectories: each row's score is its reward. Group g: {1, 2, 6}; group h: {4}.
    private static GiGpoNet.Data.RolloutBatch OneStepBatch() => Batches.New()
        .Trajectory("g", "a", ("x", 1)).Trajectory("g", "b", ("x", 2)).Trajectory("g", "c", ("x", 6))
        .Trajectory("h", "d", ("x", 4)).Build();

    [Test]
    public void Grpo_normalizes_by_the_group_mean_and_unbiased_std()
    {
        // mean 3, unbiased std sqrt((4 + 1 + 9) / 2) = sqrt(7); the singleton group keeps its raw score / (1 + eps).
        var result = new GrpoAdvantageEstimator(new GrpoOptions()).Estimate(OneStepBatch());
        var std = Math.Sqrt(7);
        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { -2 / (std + 1e-6), -1 / (std + 1e-6), 3 / (std + 1e-6), 4 / (1 + 1e-6) }).Within(Tolerance));
    }

    [Test]
    public void Dr_grpo_only_subtracts_the_mean()
    {
        var result = new GrpoAdvantageEstimator(new GrpoOptions { NormalizeByStd = false }).Estimate(OneStepBatch());
        Assert.That(result.RowAdvantages, Is.EqualTo(new double[] { -2, -1, 3, 4 }).Within(Tolerance));
    }

    [Test]
    public void Grpo_over_step_rows_or_trajectories()
    {
        // a: 2 rows of score 10; b: 1 row of score 0 -> over rows mean 20/3; over trajectories mean 5.
        var batch = Batches.New().Trajectory("g", "a", ("x", 0), ("y", 10)).Trajectory("g", "b", ("x", 0)).Build();
        var rows = new GrpoAdvantageEstimator(new GrpoOptions { NormalizeByStd = false }).Estimate(batch);
        Assert.That(rows.RowAdvantages, Is.EqualTo(new[] { 10 / 3.0, 10 / 3.0, -20 / 3.0 }).Within(Tolerance));
        var trajectories = new GrpoAdvantageEstimator(new GrpoOptions { NormalizeByStd = false, StatisticsScope = GroupStatisticsScope.Trajectories }).Estimate(batch);
        Assert.That(trajectories.RowAdvantages, Is.EqualTo(new double[] { 5, 5, -5 }).Within(Tolerance));
    }

    [Test]
    public void Grpo_applies_the_invalid_action_penalty_to_the_row_score()
    {
        var batch = Batches.New().Trajectory("g", "a", invalidSteps: [0], ("x", 1)).Trajectory("g", "b", ("x", 1)).Build();
        var result = new GrpoAdvantageEstimator(new GrpoOptions { NormalizeByStd = false, InvalidActionPenaltyCoef = 0.5 }).Estimate(batch);
        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { -0.25, 0.25 }).Within(Tolerance));
    }

    [Test]
    public void Rloo_subtracts_the_mean_of_the_others()
    {
        // 1 - (2 + 6)/2 = -3; 2 - 3.5 = -1.5; 6 - 1.5 = 4.5; a group of one keeps its score.
        var result = new RlooAdvantageEstimator(new RlooOptions()).Estimate(OneStepBatch());
        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { -3, -1.5, 4.5, 4 }).Within(Tolerance));
    }

    [Test]
    public void Rloo_counts_step_rows_by_default()
    {
        // Rows {10, 10, 0}: n = 3, mean 20/3; a row of a: 3/2 * (10 - 20/3) = 5; b: 3/2 * (0 - 20/3) = -10.
        var batch = Batches.New().Trajectory("g", "a", ("x", 0), ("y", 10)).Trajectory("g", "b", ("x", 0)).Build();
        var result = new RlooAdvantageEstimator(new RlooOptions()).Estimate(batch);
        Assert.That(result.RowAdvantages, Is.EqualTo(new double[] { 5, 5, -10 }).Within(Tolerance));
    }

    [Test]
    public void Reinforce_plus_plus_whitens_returns_over_the_batch()
    {
        // Scores {1, 2, 6, 4}: mean 3.25, unbiased variance (5.0625 + 1.5625 + 7.5625 + 0.5625) / 3 = 14.75 / 3.
        var result = new ReinforcePlusPlusAdvantageEstimator(new ReinforcePlusPlusOptions()).Estimate(OneStepBatch());
        var scale = 1 / Math.Sqrt(14.75 / 3 + 1e-8);
        Assert.That(Enumerable.Range(0, 4).Select(result.RowAdvantage),
            Is.EqualTo(new[] { -2.25 * scale, -1.25 * scale, 2.75 * scale, 0.75 * scale }).Within(Tolerance));
        Assert.That(result.TokenReturns!.Values.ToArray(), Is.EqualTo(new double[] { 1, 2, 6, 4 }));
    }

    [Test]
    public void Reinforce_plus_plus_discounts_inside_a_response()
    {
        // Row 0: 3 tokens, score 4, gamma 0.5 -> returns [1, 2, 4]; row 1: 1 token, score 0 -> [0].
        // Tokens {1, 2, 4, 0}: mean 1.75, unbiased variance 8.75 / 3.
        var batch = GiGpoNet.Data.RolloutBatch.Create(
        [
            new GiGpoNet.Data.StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Reward = 4, ResponseTokenIds = [5, 6, 7] },
            new GiGpoNet.Data.StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Reward = 0, ResponseTokenIds = [8] },
        ]);
        var result = new ReinforcePlusPlusAdvantageEstimator(new ReinforcePlusPlusOptions { Gamma = 0.5 }).Estimate(batch);
        Assert.That(result.TokenReturns![0].ToArray(), Is.EqualTo(new double[] { 1, 2, 4 }));
        var scale = 1 / Math.Sqrt(8.75 / 3 + 1e-8);
        Assert.That(result.TokenAdvantages![0].ToArray(), Is.EqualTo(new[] { -0.75 * scale, 0.25 * scale, 2.25 * scale }).Within(Tolerance));
        Assert.That(result.TokenAdvantages![1].ToArray(), Is.EqualTo(new[] { -1.75 * scale }).Within(Tolerance));
        Assert.That(result.RowAdvantages, Is.Null);
    }

    [Test]
    public void Reinforce_plus_plus_baseline_centers_in_the_group_then_whitens()
    {
        // Group {1, 3}: centered {-1, 1}; whitened over the batch: mean 0, unbiased variance 2.
        var batch = Batches.New().Trajectory("g", "a", ("x", 1)).Trajectory("g", "b", ("x", 3)).Build();
        var result = new ReinforcePlusPlusBaselineAdvantageEstimator(new ReinforcePlusPlusBaselineOptions()).Estimate(batch);
        var scale = 1 / Math.Sqrt(2 + 1e-8);
        Assert.That(new[] { result.RowAdvantage(0), result.RowAdvantage(1) }, Is.EqualTo(new[] { -scale, scale }).Within(Tolerance));
    }

    [Test]
    public void Whitening_a_single_token_is_refused_as_the_reference_does()
    {
        var batch = Batches.New().Trajectory("g", "a", ("x", 1)).Build();
        var e = Assert.Throws<InvalidOperationException>(() => new ReinforcePlusPlusAdvantageEstimator(new ReinforcePlusPlusOptions()).Estimate(batch));
        Assert.That(e!.Message, Does.Contain("at least two"));
    }
}
