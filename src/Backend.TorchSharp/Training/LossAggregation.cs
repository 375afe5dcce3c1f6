using System.ComponentModel;
using GiGpoNet.Advantages;
using GiGpoNet.Backend.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>verl's <c>loss_agg_mode</c>: how a [B, L] loss matrix with a response mask becomes one number.</summary>
[TypeConverter(typeof(LossAggregationModeConverter))]
public enum LossAggregationMode
{
    /// <summary><c>token-mean</c>: Σ ℓ·m / Σ m over the micro-batch (verl-agent's fork; the default).</summary>
    TokenMean,

    /// <summary><c>seq-mean-token-sum</c>: mean over rows of Σ_k ℓ·m.</summary>
    SeqMeanTokenSum,

    /// <summary><c>seq-mean-token-mean</c>: mean over rows of (Σ_k ℓ·m / Σ_k m).</summary>
    SeqMeanTokenMean,

    /// <summary><c>seq-mean-token-sum-norm</c>: Σ ℓ·m / L, L the mask's width (Dr.GRPO's constant normaliser).</summary>
    SeqMeanTokenSumNorm,
}

/// <summary>Accepts <c>token-mean</c>, <c>token_mean</c> and <c>TokenMean</c> alike.</summary>
public sealed class LossAggregationModeConverter : SnakeCaseEnumConverter<LossAggregationMode>
{
    /// <inheritdoc />
    protected override bool TryConvertOther(string text, out LossAggregationMode value) => TryParse(text.Replace('-', '_'), out value);
}

/// <summary>Applies a <see cref="LossAggregationMode"/>.</summary>
internal static class LossAggregation
{
    /// <summary>Aggregates <paramref name="loss"/> [B, L] under <paramref name="mask"/> [B, L] (1 on response tokens).</summary>
    [RequiresDisposeScope]
    public static Tensor Aggregate(Tensor loss, Tensor mask, LossAggregationMode mode)
    {
        using var length = mask.shape[^1].ToScalar(); // held until the call returns (see HeldScalars)
        return mode switch
        {
            LossAggregationMode.TokenMean => (loss * mask).sum() / mask.sum().clamp_min(HeldScalars.One),
            LossAggregationMode.SeqMeanTokenSum => (loss * mask).sum(-1).mean(),
            LossAggregationMode.SeqMeanTokenMean => ((loss * mask).sum(-1) / mask.sum(-1).clamp_min(HeldScalars.One)).mean(),
            LossAggregationMode.SeqMeanTokenSumNorm => (loss * mask).sum() / length,
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }
}
