using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

/// <summary>Cases small enough to compute on paper; the expected numbers are derived in the comments.</summary>
public sealed class GiGpoHandComputedTests
{
    private const double Tolerance = 1e-12;

    private static GiGpoAdvantageEstimator Estimator(Action<GiGpoOptions>? configure = null)
    {
        var options = new GiGpoOptions { InvalidActionPenaltyCoef = 0 };
        configure?.Invoke(options);
        return new GiGpoAdvantageEstimator(options);
    }

    [Test]
    public void Step_groups_compare_discounted_returns_of_the_same_state_across_trajectories_and_times()
    {
        // a: S -> X(+10).        returns with gamma 0.5: S 5,   X 10
        // b: S -> Y -> X(+10).   returns:                S 2.5, Y 5, X 10
        // Both succeed: episode advantage 0. Step group S = {5, 2.5}, mean 3.75 -> a.S +1.25, b.S -1.25.
        // X = {10, 10} -> 0 (reached at step 1 and step 2: grouping ignores time). Y is a singleton -> 0.
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 10));
        var result = Estimator(o => o.Gamma = 0.5).Estimate(batch.Build());

        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { 1.25, 0, -1.25, 0, 0 }).Within(Tolerance));
        Assert.That(result.Column("step_return"), Is.EqualTo(new[] { 5, 10, 2.5, 5, 10 }).Within(Tolerance));
        Assert.That(result.Column("step_group_size"), Is.EqualTo(new double[] { 2, 2, 2, 1, 2 }));
        Assert.That(result.Column("episode_adv"), Is.EqualTo(new double[] { 0, 0, 0, 0, 0 }));
        Assert.That(result.Metrics["step_groups"], Is.EqualTo(3));
        Assert.That(result.Metrics["step_group_singleton_fraction"], Is.EqualTo(1.0 / 3).Within(Tolerance));
        // Per level, over the 5 rows: |A_episode| = 0 everywhere; |A_step| = 1.25 on a.S and b.S; two rows moved by the step level.
        Assert.That(result.Metrics["episode_adv_abs_mean"], Is.EqualTo(0));
        Assert.That(result.Metrics["step_adv_abs_mean"], Is.EqualTo(0.5).Within(Tolerance));
        Assert.That(result.Metrics["step_adv_nonzero_fraction"], Is.EqualTo(0.4).Within(Tolerance));
        // Σ A_S² = 2 × 1.25² = 3.125. Around the trajectories' means (a: 0.625, b: -1.25/3): a 2 × 0.625² = 0.78125,
        // b (1.25 - 1.25/3)² + 2 × (1.25/3)² = 1.0416̅; (0.78125 + 1.0416̅) / 3.125 = 7/12 varies within trajectories.
        Assert.That(result.Metrics["step_adv_within_trajectory_share"], Is.EqualTo(7.0 / 12).Within(Tolerance));
        // The episode level is 0 on every row: no correlation to speak of.
        Assert.That(result.Metrics["episode_step_adv_corr"], Is.EqualTo(0));
        Assert.That(result.Metrics["step_group_size_share/1"], Is.EqualTo(1.0 / 3).Within(Tolerance));
        Assert.That(result.Metrics["step_group_size_share/2-5"], Is.EqualTo(2.0 / 3).Within(Tolerance));
        Assert.That(result.Metrics["step_group_size_share/50+"], Is.EqualTo(0));
    }

    [Test]
    public void In_one_step_episodes_from_one_state_the_step_level_repeats_the_episode_level()
    {
        // a: S(+10), b: S(0). Episode level: +5, -5. Step group S = {10, 0}: +5, -5, the same values; no trajectory has two steps.
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 10))
            .Trajectory("g", "b", ("S", 0));
        var result = Estimator().Estimate(batch.Build());

        Assert.That(result.Column("step_adv"), Is.EqualTo(result.Column("episode_adv")).Within(Tolerance));
        Assert.That(result.Metrics["episode_step_adv_corr"], Is.EqualTo(1).Within(Tolerance));
        Assert.That(result.Metrics["step_adv_within_trajectory_share"], Is.EqualTo(0));
    }

    [Test]
    public void Gamma_zero_gives_each_step_its_own_reward_as_its_return()
    {
        // The reference accepts gamma = 0 (myopic step returns): S 0, X 10 and S 0, Y 0, X 10; step group S = {0, 0} -> 0.
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 10));
        var result = Estimator(o => o.Gamma = 0).Estimate(batch.Build());

        Assert.That(result.Column("step_return"), Is.EqualTo(new[] { 0, 10, 0, 0, 10 }).Within(Tolerance));
        Assert.That(result.RowAdvantages, Is.EqualTo(new double[] { 0, 0, 0, 0, 0 }).Within(Tolerance));
    }

    [Test]
    public void Mean_std_norm_divides_both_levels_by_the_unbiased_std_plus_epsilon()
    {
        // Same batch; S = {5, 2.5}: unbiased std = 2.5 / sqrt(2).
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 10));
        var result = Estimator(o => { o.Gamma = 0.5; o.Mode = AdvantageNormalization.MeanStdNorm; }).Estimate(batch.Build());
        var std = 2.5 / Math.Sqrt(2);
        Assert.That(result.RowAdvantage(0), Is.EqualTo(1.25 / (std + 1e-6)).Within(Tolerance));
        Assert.That(result.RowAdvantage(2), Is.EqualTo(-1.25 / (std + 1e-6)).Within(Tolerance));
        Assert.That(result.RowAdvantage(1), Is.EqualTo(0));
    }

    [Test]
    public void Episode_statistics_over_step_rows_weigh_each_trajectory_by_its_length()
    {
        // a: 2 steps, return 10; b: 3 steps, return 0. Distinct anchors, so only the episode level acts.
        // Over step rows: {10, 10, 0, 0, 0}, mean 4 -> a +6, b -4; unbiased std sqrt(120 / 4) = sqrt(30).
        // Over trajectories: {10, 0}, mean 5 -> a +5, b -5; std sqrt(50).
        var batch = Batches.New()
            .Trajectory("g", "a", ("a0", 0), ("a1", 10))
            .Trajectory("g", "b", ("b0", 0), ("b1", 0), ("b2", 0));

        var rows = Estimator().Estimate(batch.Build());
        Assert.That(rows.RowAdvantages, Is.EqualTo(new double[] { 6, 6, -4, -4, -4 }).Within(Tolerance));

        var trajectories = Estimator(o => o.StatisticsScope = GroupStatisticsScope.Trajectories).Estimate(batch.Build());
        Assert.That(trajectories.RowAdvantages, Is.EqualTo(new double[] { 5, 5, -5, -5, -5 }).Within(Tolerance));

        var withStd = Estimator(o => o.Mode = AdvantageNormalization.MeanStdNorm).Estimate(batch.Build());
        Assert.That(withStd.RowAdvantage(0), Is.EqualTo(6 / (Math.Sqrt(30) + 1e-6)).Within(Tolerance));

        var trajectoriesWithStd = Estimator(o => { o.Mode = AdvantageNormalization.MeanStdNorm; o.StatisticsScope = GroupStatisticsScope.Trajectories; })
            .Estimate(batch.Build());
        Assert.That(trajectoriesWithStd.RowAdvantage(4), Is.EqualTo(-5 / (Math.Sqrt(50) + 1e-6)).Within(Tolerance));
    }

    [Test]
    public void A_group_of_one_value_has_mean_zero_and_std_one_at_the_episode_level()
    {
        var batch = Batches.New().Trajectory("g", "only", ("S", 3)).Build();
        Assert.That(Estimator().Estimate(batch).RowAdvantage(0), Is.EqualTo(3));
        Assert.That(Estimator(o => o.Mode = AdvantageNormalization.MeanStdNorm).Estimate(batch).RowAdvantage(0),
            Is.EqualTo(3 / (1 + 1e-6)).Within(Tolerance));
    }

    [Test]
    public void One_trajectory_is_a_singleton_over_trajectories_but_not_over_its_step_rows()
    {
        // Rows {7, 7}: over rows mean 7 -> 0; over trajectories one value -> mean 0 -> 7.
        var batch = Batches.New().Trajectory("g", "only", ("S", 0), ("T", 7)).Build();
        Assert.That(Estimator().Estimate(batch).RowAdvantages, Is.EqualTo(new double[] { 0, 0 }));
        Assert.That(Estimator(o => o.StatisticsScope = GroupStatisticsScope.Trajectories).Estimate(batch).RowAdvantages,
            Is.EqualTo(new double[] { 7, 7 }));
    }

    [Test]
    public void All_equal_rewards_give_exactly_zero_in_both_modes()
    {
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0.1), ("X", 0.1), ("S", 0.1))
            .Trajectory("g", "b", ("S", 0.1), ("S", 0.1), ("X", 0.1))
            .Trajectory("g", "c", ("S", 0.1), ("X", 0.1), ("X", 0.1));
        foreach (var mode in Enum.GetValues<AdvantageNormalization>())
        {
            var result = Estimator(o => { o.Mode = mode; o.Gamma = 1; }).Estimate(batch.Build());
            Assert.That(result.Column("episode_adv"), Is.All.EqualTo(0), mode.ToString());
        }
    }

    [Test]
    public void A_singleton_step_group_gives_zero_step_advantage_even_with_std()
    {
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("only-here", 10))
            .Trajectory("g", "b", ("S", 0), ("X", 0)).Build();
        var result = Estimator(o => o.Mode = AdvantageNormalization.MeanStdNorm).Estimate(batch);
        Assert.That(result.Column("step_adv")![1], Is.EqualTo(0));
        Assert.That(result.Column("step_adv")![3], Is.EqualTo(0));
    }

    [Test]
    public void The_invalid_action_penalty_hits_the_offending_row_only_after_discounting()
    {
        // a: S(invalid) -> X(+10); b: S -> X(+10). gamma 0.5, penalty 0.1.
        // Scores: a.S 9.9, a.X 10, b.S 10, b.X 10 -> row mean 9.975: a.S -0.075, others +0.025.
        // Step returns: a.S 5 - 0.1 = 4.9 (the penalty does not reach earlier steps); b.S 5; X 10 and 10.
        // Step group S = {4.9, 5}, mean 4.95 -> a.S -0.05, b.S +0.05.
        var batch = Batches.New()
            .Trajectory("g", "a", invalidSteps: [0], ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("X", 10)).Build();
        var result = new GiGpoAdvantageEstimator(new GiGpoOptions { Gamma = 0.5, InvalidActionPenaltyCoef = 0.1 }).Estimate(batch);
        Assert.That(result.Column("step_return"), Is.EqualTo(new[] { 4.9, 10, 5, 10 }).Within(Tolerance));
        Assert.That(result.Column("episode_adv"), Is.EqualTo(new[] { -0.075, 0.025, 0.025, 0.025 }).Within(Tolerance));
        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { -0.125, 0.025, 0.075, 0.025 }).Within(Tolerance));
        // Per level: |A_episode| (0.075 + 3 × 0.025) / 4 = 0.0375; |A_step| (0.05 + 0.05) / 4 = 0.025, on 2 of the 4 rows.
        Assert.That(result.Metrics["episode_adv_abs_mean"], Is.EqualTo(0.0375).Within(Tolerance));
        Assert.That(result.Metrics["step_adv_abs_mean"], Is.EqualTo(0.025).Within(Tolerance));
        Assert.That(result.Metrics["step_adv_nonzero_fraction"], Is.EqualTo(0.5));
        // A_S = (-0.05, 0 | 0.05, 0): around the trajectories' means ±0.025 on every row, 4 × 0.025² = 0.0025 of Σ A_S² = 0.005.
        Assert.That(result.Metrics["step_adv_within_trajectory_share"], Is.EqualTo(0.5).Within(Tolerance));
        // Both levels have mean 0: cov 0.075 × 0.05 + 0.025 × 0.05 = 0.005; Σ A_E² = 0.0075, Σ A_S² = 0.005: 0.005 / √(3.75e-5) = √(2/3).
        Assert.That(result.Metrics["episode_step_adv_corr"], Is.EqualTo(Math.Sqrt(2.0 / 3)).Within(Tolerance));

        var noPenalty = Estimator(o => o.Gamma = 0.5).Estimate(batch);
        Assert.That(noPenalty.RowAdvantages, Is.All.EqualTo(0));
    }

    [Test]
    public void Inactive_rows_count_nowhere_and_get_zero()
    {
        var withoutTail = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 0));
        var withTail = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .InactiveTail("g", "a", 2, ("S", 100), ("X", -50))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 0))
            .InactiveTail("g", "b", 3, ("Y", 7));
        var expected = Estimator().Estimate(withoutTail.Build());
        var actual = Estimator().Estimate(withTail.Build());
        foreach (var (trajectory, step) in new[] { ("a", 0), ("a", 1), ("b", 0), ("b", 1), ("b", 2) })
            Assert.That(actual.RowAdvantage(withTail.RowOf(trajectory, step)),
                Is.EqualTo(expected.RowAdvantage(withoutTail.RowOf(trajectory, step))).Within(Tolerance));
        foreach (var (trajectory, step) in new[] { ("a", 2), ("a", 3), ("b", 3) })
        {
            var row = withTail.RowOf(trajectory, step);
            Assert.That(actual.RowAdvantage(row), Is.EqualTo(0));
            Assert.That(actual.Column("step_group_size")![row], Is.EqualTo(0));
        }
        Assert.That(actual.Metrics["step_groups"], Is.EqualTo(expected.Metrics["step_groups"]));
    }

    [Test]
    public void The_same_anchor_text_in_two_groups_forms_two_step_groups()
    {
        // Group g1: S -> +10 and S -> 0; group g2 the same texts with rewards swapped between positions.
        var batch = Batches.New()
            .Trajectory("g1", "a", ("S", 10))
            .Trajectory("g1", "b", ("S", 0))
            .Trajectory("g2", "c", ("S", 4))
            .Trajectory("g2", "d", ("S", 2)).Build();
        var result = Estimator().Estimate(batch);
        Assert.That(result.Column("step_adv"), Is.EqualTo(new double[] { 5, -5, 1, -1 }).Within(Tolerance));
        Assert.That(result.Metrics["step_groups"], Is.EqualTo(2));
    }

    [Test]
    public void Anchors_match_exactly_without_trimming_or_case_folding()
    {
        var batch = Batches.New()
            .Trajectory("g", "a", ("You arrive at fridge 1.", 10))
            .Trajectory("g", "b", ("you arrive at fridge 1.", 0))
            .Trajectory("g", "c", ("You arrive at fridge 1. ", 0)).Build();
        Assert.That(Estimator().Estimate(batch).Metrics["step_groups"], Is.EqualTo(3));
    }

    [Test]
    public void Omega_and_the_episode_weight_scale_their_levels()
    {
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 0)).Build();
        var full = Estimator().Estimate(batch);
        var scaled = Estimator(o => { o.StepAdvantageWeight = 0.4; o.EpisodeAdvantageWeight = 0; }).Estimate(batch);
        for (var row = 0; row < batch.RowCount; row++)
            Assert.That(scaled.RowAdvantage(row), Is.EqualTo(0.4 * full.Column("step_adv")![row]).Within(Tolerance));
    }

    [Test]
    public void Episode_and_step_modes_can_be_set_separately()
    {
        var batch = Batches.New()
            .Trajectory("g", "a", ("S", 0), ("X", 10))
            .Trajectory("g", "b", ("S", 0), ("Y", 0), ("X", 0)).Build();
        var meanNorm = Estimator().Estimate(batch);
        var std = Estimator(o => o.Mode = AdvantageNormalization.MeanStdNorm).Estimate(batch);
        var mixed = Estimator(o => o.EpisodeMode = AdvantageNormalization.MeanStdNorm).Estimate(batch);
        Assert.That(mixed.Column("episode_adv"), Is.EqualTo(std.Column("episode_adv")));
        Assert.That(mixed.Column("step_adv"), Is.EqualTo(meanNorm.Column("step_adv")));
    }

    [Test]
    public void A_batch_without_anchors_is_refused_with_a_message_that_names_the_fix()
    {
        var batch = GiGpoNet.Data.RolloutBatch.Create([new GiGpoNet.Data.StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 1 }]);
        var e = Assert.Throws<ArgumentException>(() => Estimator().Estimate(batch));
        Assert.That(e!.Message, Does.Contain("anchor").And.Contain("grpo"));
    }
}
