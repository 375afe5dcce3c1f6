using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo.Grouping;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.GiGpo;

/// <summary>
/// GiGPO's advantage (Feng et al., 2025), as verl-agent computes it:
/// <list type="number">
/// <item>Episode level: each row's score (episode return, minus the invalid-action penalty on its own row) is normalized within
/// its episode group; statistics over step rows or over trajectories (<see cref="GiGpoOptions.StatisticsScope"/>); a group of one
/// value has mean 0 and std 1.</item>
/// <item>Step level: rows of the same episode group with the same anchor state form a step group; each row's discounted return
/// (minus its own penalty) is normalized within the step group; a singleton step group gives 0.</item>
/// <item>A = w_E·A_episode + ω·A_step, one value per row, broadcast over the row's response tokens.</item>
/// </list>
/// Inactive rows count nowhere and get 0. Work is O(rows) for exact grouping.
/// </summary>
public sealed class GiGpoAdvantageEstimator : IAdvantageEstimator
{
    private static readonly (string Name, int Low, int High)[] SizeBuckets =
        [("1", 1, 1), ("2-5", 2, 5), ("6-9", 6, 9), ("10-49", 10, 49), ("50+", 50, int.MaxValue)];

    private readonly GiGpoOptions _options;

    /// <summary>Creates the estimator with validated options.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public GiGpoAdvantageEstimator(GiGpoOptions options) => _options = AdvantageEstimatorOptions.Validated(options);

    /// <inheritdoc />
    public RolloutFields RequiredFields => RolloutFields.Anchors;

    /// <inheritdoc />
    public int MinimumGroupSize => 2; // normalizes within groups: one trajectory has nothing to compare with

    /// <inheritdoc />
    public AdvantageResult Estimate(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!batch.Fields.HasFlag(RolloutFields.Anchors))
            throw new ArgumentException(
                "GiGPO needs the anchor observation of every step (the raw observation, without history) to build step groups; " +
                "this batch has none. Use a rollout source that records anchors, or choose an estimator that needs none (grpo, rloo).",
                nameof(batch));

        var o = _options;
        var rows = batch.RowCount;
        var active = batch.Active;
        var valid = batch.ActionValid;
        var anchors = batch.Anchors;

        // Episode level.
        var scores = OutcomeScores.RowScores(batch, o.InvalidActionPenaltyCoef);
        var groupMoments = OutcomeScores.GroupMoments(batch, scores, o.StatisticsScope);
        var episodeMode = o.EffectiveEpisodeMode;
        var episodeAdvantages = new double[rows];
        for (var row = 0; row < rows; row++)
            if (active[row])
                episodeAdvantages[row] = OutcomeScores.Normalize(scores[row], groupMoments[batch.GroupIndex[row]], episodeMode, o.Epsilon);

        // Step level: discounted returns from raw rewards, then the penalty at the offending step only.
        var stepReturns = StepReturns.Compute(batch, o.Gamma);
        for (var row = 0; row < rows; row++)
            if (active[row] && !valid[row]) stepReturns[row] -= o.InvalidActionPenaltyCoef;

        // Anchor-state grouping inside each episode group, rows in canonical order.
        IAnchorClusterer clusterer = o.EnableSimilarity ? new SimilarityAnchorClusterer(o.SimilarityThreshold) : new ExactAnchorClusterer();
        // Arrays, not List<T> or LINQ over the value types: their generic code is not precompiled (ReadyToRun) and would start in
        // tier-0 JIT code inside the row loop of a one-shot call.
        var stepGroupOf = new int[rows];
        var stepGroups = new Moments.Accumulator[Math.Max(16, batch.ActiveRowCount / 4)];
        var stepGroupCount = 0;
        for (var g = 0; g < batch.GroupCount; g++)
        {
            clusterer.Reset();
            var firstStepGroup = stepGroupCount;
            foreach (var t in batch.TrajectoriesOf(g))
            {
                foreach (var row in batch.ActiveRowsOf(t))
                {
                    var stepGroup = firstStepGroup + clusterer.Assign(anchors[row]!);
                    if (stepGroup == stepGroupCount)
                    {
                        if (stepGroupCount == stepGroups.Length) Array.Resize(ref stepGroups, 2 * stepGroupCount);
                        stepGroupCount++;
                    }
                    stepGroupOf[row] = stepGroup;
                    stepGroups[stepGroup].Add(stepReturns[row]);
                }
            }
        }

        var stepMoments = new Moments[stepGroupCount];
        var singletons = 0;
        for (var s = 0; s < stepMoments.Length; s++)
        {
            stepMoments[s] = stepGroups[s].Result;
            if (stepMoments[s].Count == 1) singletons++;
        }

        var stepMode = o.EffectiveStepMode;
        var stepAdvantages = new double[rows];
        var stepGroupSizes = new double[rows];
        var advantages = new double[rows];
        double episodeMagnitude = 0, stepMagnitude = 0;
        var stepNonzero = 0;
        for (var row = 0; row < rows; row++)
        {
            if (!active[row]) continue;
            var moments = stepMoments[stepGroupOf[row]];
            stepGroupSizes[row] = moments.Count;
            // A singleton step group's mean is the row's own return, so its advantage is 0.
            stepAdvantages[row] = moments.Count == 1 ? 0
                : stepMode == AdvantageNormalization.MeanNorm ? stepReturns[row] - moments.Mean
                : (stepReturns[row] - moments.Mean) / (moments.Std + o.Epsilon);
            advantages[row] = o.EpisodeAdvantageWeight * episodeAdvantages[row] + o.StepAdvantageWeight * stepAdvantages[row];
            episodeMagnitude += Math.Abs(episodeAdvantages[row]);
            stepMagnitude += Math.Abs(stepAdvantages[row]);
            if (stepAdvantages[row] != 0) stepNonzero++;
        }

        var metrics = new Dictionary<string, double>
        {
            ["step_groups"] = stepMoments.Length,
            ["step_group_size_mean"] = stepMoments.Length == 0 ? 0 : (double)batch.ActiveRowCount / stepMoments.Length,
            ["step_group_singleton_fraction"] = stepMoments.Length == 0 ? 0 : (double)singletons / stepMoments.Length,
            // Mean |A| of each level over active rows, before the weights, and the share of rows the step level moves.
            ["episode_adv_abs_mean"] = batch.ActiveRowCount == 0 ? 0 : episodeMagnitude / batch.ActiveRowCount,
            ["step_adv_abs_mean"] = batch.ActiveRowCount == 0 ? 0 : stepMagnitude / batch.ActiveRowCount,
            ["step_adv_nonzero_fraction"] = batch.ActiveRowCount == 0 ? 0 : (double)stepNonzero / batch.ActiveRowCount,
            // Whether the step level adds to the episode level or repeats it.
            ["step_adv_within_trajectory_share"] = LevelOverlap.WithinTrajectoryShare(batch, stepAdvantages),
            ["episode_step_adv_corr"] = LevelOverlap.Correlation(batch, episodeAdvantages, stepAdvantages),
        };
        if (batch.Fields.HasFlag(RolloutFields.Actions))
            foreach (var (key, value) in Diagnostics.StepGroupActions.Measure(batch, stepGroupOf, stepGroupCount, stepAdvantages)) metrics[key] = value;
        // The paper's histogram of step-group sizes (Fig. 5): the share of step groups in each size bucket.
        foreach (var (name, low, high) in SizeBuckets)
        {
            var inBucket = 0;
            foreach (var m in stepMoments)
                if (m.Count >= low && m.Count <= high) inBucket++;
            metrics[$"step_group_size_share/{name}"] = stepMoments.Length == 0 ? 0 : (double)inBucket / stepMoments.Length;
        }
        AdvantageColumn[] columns =
        [
            new("episode_adv", episodeAdvantages),
            new("step_adv", stepAdvantages),
            new("step_return", stepReturns),
            new("step_group_size", stepGroupSizes),
        ];
        return AdvantageResult.PerRow(advantages, columns, metrics);
    }
}
