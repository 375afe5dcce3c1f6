using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>
/// RLOO's leave-one-out advantage: for a group of n &gt; 1 values, A = n/(n−1)·(s − mean) = s − mean of the others; for n = 1, A = s.
/// With the default statistics over step rows, n counts the group's step rows, as in verl-agent.
/// </summary>
public sealed class RlooAdvantageEstimator(RlooOptions options) : IAdvantageEstimator
{
    private readonly RlooOptions _options = AdvantageEstimatorOptions.Validated(options);

    /// <inheritdoc />
    public RolloutFields RequiredFields => RolloutFields.None;

    /// <inheritdoc />
    public int MinimumGroupSize => 2; // normalizes within groups: one trajectory has nothing to compare with

    /// <inheritdoc />
    public AdvantageResult Estimate(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var scores = OutcomeScores.RowScores(batch, _options.InvalidActionPenaltyCoef);
        var moments = OutcomeScores.GroupMoments(batch, scores, _options.StatisticsScope);
        var active = batch.Active;
        var groups = batch.GroupIndex;
        var advantages = new double[batch.RowCount];
        for (var row = 0; row < advantages.Length; row++)
        {
            if (!active[row]) continue;
            var group = moments[groups[row]];
            var n = group.Count;
            advantages[row] = n > 1 ? scores[row] * n / (n - 1) - group.Mean * n / (n - 1) : scores[row];
        }
        return AdvantageResult.PerRow(advantages, [new AdvantageColumn("score", scores)]);
    }
}
