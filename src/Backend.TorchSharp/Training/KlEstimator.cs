using System.ComponentModel;
using GiGpoNet.Advantages;
using GiGpoNet.Backend.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>verl's <c>kl_penalty</c> estimators of KL(π ‖ π_ref) from per-token log-probabilities.</summary>
[TypeConverter(typeof(KlEstimatorConverter))]
public enum KlEstimator
{
    /// <summary><c>kl</c> / <c>k1</c>: Δ = logπ − logπ_ref.</summary>
    K1,

    /// <summary><c>abs</c>: |Δ|.</summary>
    Abs,

    /// <summary><c>mse</c> / <c>k2</c>: ½Δ².</summary>
    K2,

    /// <summary><c>low_var_kl</c> / <c>k3</c>: e^(−Δ) + Δ − 1, clamped to [−10, 10] (verl-agent's choice for the KL loss).</summary>
    K3,
}

/// <summary>Accepts verl's names (<c>kl</c>, <c>k1</c>, <c>abs</c>, <c>mse</c>, <c>k2</c>, <c>low_var_kl</c>, <c>k3</c>).</summary>
public sealed class KlEstimatorConverter : SnakeCaseEnumConverter<KlEstimator>
{
    /// <inheritdoc />
    protected override bool TryConvertOther(string text, out KlEstimator value)
    {
        (var known, value) = text.ToLowerInvariant() switch
        {
            "kl" => (true, KlEstimator.K1),
            "mse" => (true, KlEstimator.K2),
            "low_var_kl" => (true, KlEstimator.K3),
            _ => (false, default),
        };
        return known;
    }
}

/// <summary>Computes the KL estimators per token.</summary>
internal static class KlPenalty
{
    /// <summary>The estimator's value per token ([B, L]).</summary>
    [RequiresDisposeScope]
    public static Tensor Compute(Tensor logProb, Tensor refLogProb, KlEstimator estimator)
    {
        // Scalars held in locals until the native calls return (an implicitly converted one can be finalized mid-call; see HeldScalars).
        using var half = 0.5.ToScalar();
        using var low = (-10).ToScalar();
        using var high = 10.ToScalar();
        var delta = logProb - refLogProb;
        return estimator switch
        {
            KlEstimator.K1 => delta,
            KlEstimator.Abs => delta.abs(),
            KlEstimator.K2 => delta.pow(HeldScalars.Two) * half,
            KlEstimator.K3 => ((-delta).exp().add(delta, HeldScalars.One) - HeldScalars.One).clamp(low, high),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator)),
        };
    }
}
