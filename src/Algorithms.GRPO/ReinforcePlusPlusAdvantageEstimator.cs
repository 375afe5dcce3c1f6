using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>
/// REINFORCE++: the row's score sits at its last response token; the token-level return G_k = r_k + γ·G_{k+1} is whitened over
/// every active token of the batch, (G − mean) / sqrt(var + 1e-8) with the unbiased variance. No grouping.
/// A batch without tokens counts one token per row.
/// </summary>
public sealed class ReinforcePlusPlusAdvantageEstimator(ReinforcePlusPlusOptions options) : IAdvantageEstimator
{
    private readonly ReinforcePlusPlusOptions _options = AdvantageEstimatorOptions.Validated(options);

    /// <inheritdoc />
    public RolloutFields RequiredFields => RolloutFields.None;

    /// <inheritdoc />
    public AdvantageResult Estimate(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var scores = OutcomeScores.RowScores(batch, _options.InvalidActionPenaltyCoef);
        var shape = batch.NewPerTokenArray<double>();
        var offsets = shape.Offsets;
        var returns = new double[shape.TotalLength];
        var active = batch.Active;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            var running = 0.0;
            for (var k = offsets[row + 1] - 1; k >= offsets[row]; k--)
            {
                var reward = k == offsets[row + 1] - 1 ? scores[row] : 0.0;
                running = reward + _options.Gamma * running;
                returns[k] = running;
            }
        }

        var advantages = (double[])returns.Clone();
        MaskedWhitening.WhitenInPlace(batch, offsets, advantages);
        return AdvantageResult.PerToken(shape.WithValues(advantages), shape.WithValues(returns), [new AdvantageColumn("score", scores)]);
    }
}
