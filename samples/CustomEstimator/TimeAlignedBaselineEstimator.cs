using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace CustomEstimator;

/// <summary>
/// A user-written estimator: the discounted return of each step minus the mean return of the steps taken at the same
/// <em>time</em> (step index) in the same episode group. This is the naive, time-aligned baseline that GiGPO's anchor-state
/// grouping improves on: a state reached at step 3 by one trajectory and at step 9 by another is never compared here.
/// </summary>
public sealed class TimeAlignedBaselineEstimator(TimeAlignedBaselineOptions options) : IAdvantageEstimator
{
    private readonly TimeAlignedBaselineOptions _options = AdvantageEstimatorOptions.Validated(options);

    /// <inheritdoc />
    public RolloutFields RequiredFields => RolloutFields.None;

    /// <inheritdoc />
    public int MinimumGroupSize => 2; // compares the trajectories of a group: one alone has nothing to compare with

    /// <inheritdoc />
    public AdvantageResult Estimate(RolloutBatch batch)
    {
        var returns = new double[batch.RowCount];
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            var rows = batch.ActiveRowsOf(t);
            var running = 0.0;
            for (var k = rows.Length - 1; k >= 0; k--)
            {
                var row = rows[k];
                running = batch.Rewards[row] + _options.Gamma * running;
                returns[row] = batch.ActionValid[row] ? running : running - _options.InvalidActionPenaltyCoef;
            }
        }

        // Mean return per (group, step position).
        var sums = new Dictionary<(int Group, int Position), (double Sum, int Count)>();
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            var rows = batch.ActiveRowsOf(t);
            for (var k = 0; k < rows.Length; k++)
            {
                var key = (batch.TrajectoryGroup[t], k);
                var (sum, count) = sums.GetValueOrDefault(key);
                sums[key] = (sum + returns[rows[k]], count + 1);
            }
        }

        var advantages = new double[batch.RowCount];
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            var rows = batch.ActiveRowsOf(t);
            for (var k = 0; k < rows.Length; k++)
            {
                var (sum, count) = sums[(batch.TrajectoryGroup[t], k)];
                advantages[rows[k]] = returns[rows[k]] - sum / count;
            }
        }
        return AdvantageResult.PerRow(advantages, [new AdvantageColumn("step_return", returns)]);
    }
}
