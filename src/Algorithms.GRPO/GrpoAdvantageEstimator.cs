using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>
/// GRPO's outcome advantage: A = (s − mean) / (std + ε), or s − mean without std (Dr.GRPO), with the statistics of the row's
/// episode group; a group of one value has mean 0 and std 1. One value per row, broadcast over its response tokens.
/// </summary>
public sealed class GrpoAdvantageEstimator(GrpoOptions options) : IAdvantageEstimator
{
    private readonly GrpoOptions _options = AdvantageEstimatorOptions.Validated(options);

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
        var mode = _options.NormalizeByStd ? AdvantageNormalization.MeanStdNorm : AdvantageNormalization.MeanNorm;
        var active = batch.Active;
        var groups = batch.GroupIndex;
        var advantages = new double[batch.RowCount];
        for (var row = 0; row < advantages.Length; row++)
            if (active[row])
                advantages[row] = OutcomeScores.Normalize(scores[row], moments[groups[row]], mode, _options.Epsilon);
        return AdvantageResult.PerRow(advantages, [new AdvantageColumn("score", scores)]);
    }
}
