using GiGpoNet.Data;

namespace GiGpoNet.Advantages;

/// <summary>
/// verl's <c>masked_whiten</c> over the whole batch: (x − mean) / sqrt(var + 1e-8), with the mean and the unbiased
/// variance taken over the response tokens of the active rows. Used by REINFORCE++ and GAE.
/// </summary>
public static class MaskedWhitening
{
    /// <summary>The constant added to the variance before the square root.</summary>
    public const double VarianceEpsilon = 1e-8;

    /// <summary>Whitens the tokens of active rows in place; tokens of inactive rows are set to 0.</summary>
    /// <exception cref="InvalidOperationException">Exactly one token is active: the unbiased variance is undefined (verl raises too).</exception>
    /// <param name="batch">The batch whose <see cref="RolloutBatch.Active"/> flags select the tokens.</param>
    /// <param name="tokenOffsets">Where each row's tokens start in <paramref name="flatValues"/> (row count + 1 entries).</param>
    /// <param name="flatValues">The per-token values of all rows, whitened in place.</param>
    public static void WhitenInPlace(RolloutBatch batch, ReadOnlySpan<int> tokenOffsets, Span<double> flatValues)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var offsets = tokenOffsets;
        var active = batch.Active;

        var sum = 0.0;
        long count = 0;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            for (var k = offsets[row]; k < offsets[row + 1]; k++) sum += flatValues[k];
            count += offsets[row + 1] - offsets[row];
        }

        if (count == 1)
            throw new InvalidOperationException(
                "Batch whitening needs at least two active response tokens (the unbiased variance of one value is undefined); collect a larger batch.");

        var mean = count == 0 ? 0 : sum / count;
        var squares = 0.0;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            for (var k = offsets[row]; k < offsets[row + 1]; k++)
            {
                var d = flatValues[k] - mean;
                squares += d * d;
            }
        }

        var variance = count < 2 ? 0 : squares / (count - 1);
        var scale = 1.0 / Math.Sqrt(variance + VarianceEpsilon);
        for (var row = 0; row < batch.RowCount; row++)
        {
            var isActive = active[row];
            for (var k = offsets[row]; k < offsets[row + 1]; k++)
                flatValues[k] = isActive ? (flatValues[k] - mean) * scale : 0;
        }
    }
}
