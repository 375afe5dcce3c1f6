using GiGpoNet.Backend.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// verl's clipped value loss: V_clip = clip(V, V_old − c, V_old + c); L = agg(max((V − G)², (V_clip − G)²)) × scale
/// (scale 1 in verl-agent's fork, 0.5 upstream). Returns the loss and <c>vf_clipfrac</c>.
/// </summary>
internal static class ValueLoss
{
    /// <summary>Computes the loss; tensors are [B, L] float32.</summary>
    [RequiresDisposeScope]
    public static (Tensor Loss, double ClipFraction) Compute(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRange,
        LossAggregationMode mode, double scale = 1.0)
    {
        // Scalars held in locals until the native calls return (an implicitly converted one can be finalized mid-call; see HeldScalars).
        using var low = (-clipRange).ToScalar();
        using var high = clipRange.ToScalar();
        using var lossScale = scale.ToScalar();
        var clipped = oldValues.add((values - oldValues).clamp(low, high), HeldScalars.One);
        var unclippedLoss = (values - returns).pow(HeldScalars.Two);
        var clippedLoss = (clipped - returns).pow(HeldScalars.Two);
        var loss = LossAggregation.Aggregate(maximum(unclippedLoss, clippedLoss), mask, mode) * lossScale;
        var fraction = (clippedLoss.gt(unclippedLoss).to_type(mask.dtype) * mask).sum() / mask.sum().clamp_min(HeldScalars.One);
        return (loss, fraction.item<float>());
    }
}
