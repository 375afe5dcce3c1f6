using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>
/// REINFORCE++-baseline: A = s − group mean (mean 0 for a group of one value), tiled over the row's response tokens, then whitened
/// over every active token of the batch. A batch without tokens counts one token per row.
/// </summary>
public sealed class ReinforcePlusPlusBaselineAdvantageEstimator(ReinforcePlusPlusBaselineOptions options) : IAdvantageEstimator
{
    private readonly ReinforcePlusPlusBaselineOptions _options = AdvantageEstimatorOptions.Validated(options);

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
        var shape = batch.NewPerTokenArray<double>();
        var offsets = shape.Offsets;
        var advantages = new double[shape.TotalLength];
        var active = batch.Active;
        var groups = batch.GroupIndex;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            var group = moments[groups[row]];
            var centered = scores[row] - (group.Count == 1 ? 0 : group.Mean);
            advantages.AsSpan(offsets[row], offsets[row + 1] - offsets[row]).Fill(centered);
        }

        MaskedWhitening.WhitenInPlace(batch, offsets, advantages);
        return AdvantageResult.PerToken(shape.WithValues(advantages), columns: [new AdvantageColumn("score", scores)]);
    }
}
