using GiGpoNet.Backend.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// verl's <c>compute_policy_loss</c> (vanilla): ρ = exp(logπ − logπ_old); L1 = −A·ρ; L2 = −A·clip(ρ, 1 − ε_low, 1 + ε_high); L = max(L1, L2);
/// for A &lt; 0 the dual clip caps it: L = min(L, −A·c) with c &gt; 1. Per token, then aggregated.
/// </summary>
internal static class PolicyLoss
{
    /// <summary>
    /// Computes the loss. All tensors are [B, L] float32; <paramref name="mask"/> is 1 on response tokens; <paramref name="rolloutWeights"/>,
    /// when given, multiply each token's loss (truncated importance sampling, <see cref="RolloutCorrection"/>).
    /// </summary>
    [RequiresDisposeScope]
    public static PolicyLossResult Compute(Tensor logProb, Tensor oldLogProb, Tensor advantages, Tensor mask,
        double clipRatioLow, double clipRatioHigh, double clipRatioC, LossAggregationMode mode, Tensor? rolloutWeights = null)
    {
        if (!(clipRatioC > 1)) throw new ArgumentOutOfRangeException(nameof(clipRatioC), clipRatioC, "The dual-clip constant must be greater than 1.");
        // Scalars held in locals until the native calls return (an implicitly converted one can be finalized mid-call; see HeldScalars).
        using var low = (1 - clipRatioLow).ToScalar();
        using var high = (1 + clipRatioHigh).ToScalar();
        using var dualClip = clipRatioC.ToScalar();
        var negativeKl = logProb - oldLogProb;
        var ratio = negativeKl.exp();
        var loss1 = -advantages * ratio;
        var loss2 = -advantages * ratio.clamp(low, high);
        var clipped = maximum(loss1, loss2);
        var loss3 = -advantages * dualClip;
        var dual = minimum(loss3, clipped);
        var perToken = where(advantages.lt(HeldScalars.Zero), dual, clipped);
        if (rolloutWeights is not null) perToken = perToken * rolloutWeights;

        var tokens = mask.sum().clamp_min(HeldScalars.One);
        var clipFraction = (loss2.gt(loss1).to_type(mask.dtype) * mask).sum() / tokens;
        var lowerFraction = ((clipped.gt(loss3) & advantages.lt(HeldScalars.Zero)).to_type(mask.dtype) * mask).sum() / tokens;
        var approxKl = (-negativeKl * mask).sum() / tokens;
        return new PolicyLossResult(LossAggregation.Aggregate(perToken, mask, mode),
            clipFraction.item<float>(), lowerFraction.item<float>(), approxKl.item<float>());
    }
}
