namespace GiGpoNet.Backend.Training;

/// <summary>
/// The built-in policy loss, <c>vanilla</c> as verl names it: PPO-clip with ε_low, ε_high (<c>Update:ClipRatioLow</c>,
/// <c>ClipRatioHigh</c>) and the dual clip c (<c>ClipRatioC</c>) for negative advantages, per token, aggregated by <c>LossAggMode</c>.
/// </summary>
public sealed class VanillaPolicyLoss : IPolicyLoss
{
    /// <summary>The name <c>Update:PolicyLoss</c> selects it by.</summary>
    public const string Name = "vanilla";

    /// <inheritdoc />
    [RequiresDisposeScope]
    public PolicyLossResult Compute(PolicyLossInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var options = inputs.Options;
        return PolicyLoss.Compute(inputs.LogProbs, inputs.OldLogProbs, inputs.Advantages, inputs.ResponseMask, options.ClipRatioLow, options.ClipRatioHigh,
            options.ClipRatioC, options.LossAggMode, inputs.RolloutWeights);
    }
}
