using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Ppo;

/// <summary>
/// Generalized advantage estimation as verl-agent's PPO computes it: every step row is its own sequence, with the row's score
/// (episode return minus its invalid-action penalty) at its last response token and no bootstrapping across steps.
/// For t = L−1 … 0: δ_t = r_t + γ·V_{t+1} − V_t (V_L = 0), Â_t = δ_t + γλ·Â_{t+1}; returns = Â + V; the advantages are then
/// whitened over every active token of the batch. Needs the critic's value at each response token.
/// </summary>
public sealed class GaeAdvantageEstimator(GaeOptions options) : IAdvantageEstimator
{
    private readonly GaeOptions _options = AdvantageEstimatorOptions.Validated(options);

    /// <inheritdoc />
    public RolloutFields RequiredFields => RolloutFields.CriticValues;

    /// <inheritdoc />
    public AdvantageResult Estimate(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var values = batch.CriticValues ?? throw new ArgumentException(
            "PPO's GAE needs the critic's value at every response token; this batch has none. Use a policy with a critic (value head), " +
            "or choose a critic-free estimator (gigpo, grpo, rloo).", nameof(batch));

        var scores = OutcomeScores.RowScores(batch, _options.InvalidActionPenaltyCoef);
        var offsets = values.Offsets;
        var flatValues = values.Values;
        var advantages = new double[values.TotalLength];
        var returns = new double[values.TotalLength];
        var active = batch.Active;
        double gamma = _options.Gamma, lambda = _options.Lambda;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            int start = offsets[row], end = offsets[row + 1];
            var lastAdvantage = 0.0;
            var nextValue = 0.0;
            for (var k = end - 1; k >= start; k--)
            {
                var reward = k == end - 1 ? scores[row] : 0.0;
                var value = (double)flatValues[k];
                var delta = reward + gamma * nextValue - value;
                lastAdvantage = delta + gamma * lambda * lastAdvantage;
                advantages[k] = lastAdvantage;
                returns[k] = lastAdvantage + value;
                nextValue = value;
            }
        }

        MaskedWhitening.WhitenInPlace(batch, offsets, advantages);
        return AdvantageResult.PerToken(values.WithValues(advantages), values.WithValues(returns), [new AdvantageColumn("score", scores)]);
    }
}
