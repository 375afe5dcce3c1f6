using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// verl's clipped value loss: V_clip = clip(V, V_old − c, V_old + c); L = agg(max((V − G)², (V_clip − G)²)) × scale
/// (scale 1 in verl-agent's fork, 0.5 upstream). Returns the loss and <c>vf_clipfrac</c>.
/// </summary>
public static class ValueLoss
{
    /// <summary>Computes the loss; tensors are [B, L] float32.</summary>
    public static (Tensor Loss, double ClipFraction) Compute(Tensor values, Tensor oldValues, Tensor returns, Tensor mask, double clipRange,
        LossAggregationMode mode, double scale = 1.0)
    {
        var clipped = oldValues + (values - oldValues).clamp(-clipRange, clipRange);
        var unclippedLoss = (values - returns).square();
        var clippedLoss = (clipped - returns).square();
        var loss = LossAggregation.Aggregate(maximum(unclippedLoss, clippedLoss), mask, mode) * scale;
        var fraction = (clippedLoss.gt(unclippedLoss).to_type(mask.dtype) * mask).sum() / mask.sum().clamp_min(1);
        return (loss, fraction.item<float>());
    }
}
