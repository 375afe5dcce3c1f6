using GiGpoNet.Data;

namespace GiGpoNet.Advantages;

/// <summary>
/// What an estimator computed for a batch: one advantage per row (outcome estimators such as GiGPO and GRPO, whose
/// advantage is broadcast over the row's response tokens) or one per response token (GAE, REINFORCE++), plus
/// diagnostic columns and scalar metrics.
/// </summary>
public sealed class AdvantageResult
{
    private AdvantageResult(double[]? rowAdvantages, RaggedArray<double>? tokenAdvantages, RaggedArray<double>? tokenReturns,
        IReadOnlyList<AdvantageColumn>? columns, IReadOnlyDictionary<string, double>? metrics)
    {
        RowAdvantages = rowAdvantages;
        TokenAdvantages = tokenAdvantages;
        TokenReturns = tokenReturns;
        Columns = columns ?? [];
        Metrics = metrics ?? new Dictionary<string, double>();
    }

    /// <summary>A result with one advantage per row, broadcast over the row's response tokens.</summary>
    public static AdvantageResult PerRow(double[] advantages, IReadOnlyList<AdvantageColumn>? columns = null,
        IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return new AdvantageResult(advantages, null, null, columns, metrics);
    }

    /// <summary>A result with one advantage (and optionally one return) per response token.</summary>
    public static AdvantageResult PerToken(RaggedArray<double> advantages, RaggedArray<double>? returns = null,
        IReadOnlyList<AdvantageColumn>? columns = null, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(advantages);
        return new AdvantageResult(null, advantages, returns, columns, metrics);
    }

    /// <summary>One advantage per row, or <c>null</c> for a token-level result.</summary>
    public double[]? RowAdvantages { get; }

    /// <summary>One advantage per response token, or <c>null</c> for a row-level result.</summary>
    public RaggedArray<double>? TokenAdvantages { get; }

    /// <summary>Per-token returns (the critic's regression targets for PPO), when the estimator produces them.</summary>
    public RaggedArray<double>? TokenReturns { get; }

    /// <summary>Per-row diagnostics, in the order the estimator reports them.</summary>
    public IReadOnlyList<AdvantageColumn> Columns { get; }

    /// <summary>Scalar metrics of this estimate (for example <c>step_groups</c> for GiGPO).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; }

    /// <summary>
    /// The advantage of a row as one number: the row value of a row-level result, or the single token value of a
    /// token-level result whose row has exactly one token.
    /// </summary>
    /// <exception cref="InvalidOperationException">The result is token-level and the row has several tokens.</exception>
    public double RowAdvantage(int row)
    {
        if (RowAdvantages is not null) return RowAdvantages[row];
        var tokens = TokenAdvantages![row];
        if (tokens.Length == 1) return tokens[0];
        throw new InvalidOperationException(
            $"Row {row + 1} has {tokens.Length} token-level advantages; read TokenAdvantages instead of one value per row.");
    }

    /// <summary>Writes the advantage of each response token of <paramref name="row"/> into <paramref name="destination"/>.</summary>
    public void CopyTokenAdvantages(int row, Span<float> destination)
    {
        if (RowAdvantages is not null)
        {
            destination.Fill((float)RowAdvantages[row]);
            return;
        }

        var tokens = TokenAdvantages![row];
        if (destination.Length != tokens.Length)
            throw new ArgumentException($"Row {row + 1} has {tokens.Length} tokens; the destination holds {destination.Length}.", nameof(destination));
        for (var k = 0; k < tokens.Length; k++) destination[k] = (float)tokens[k];
    }

    /// <summary>The diagnostic column called <paramref name="name"/>, or <c>null</c>.</summary>
    public double[]? Column(string name) => Columns.FirstOrDefault(c => c.Name == name)?.Values;
}
