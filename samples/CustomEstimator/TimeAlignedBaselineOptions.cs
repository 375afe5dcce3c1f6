using GiGpoNet.Advantages;

namespace CustomEstimator;

/// <summary>Options of <see cref="TimeAlignedBaselineEstimator"/>, bound from <c>Algorithms:time_aligned</c>.</summary>
public sealed class TimeAlignedBaselineOptions : AdvantageEstimatorOptions
{
    /// <summary>Discount of the step returns, in (0, 1]. Default 0.95.</summary>
    [ReferenceParameter("gamma")]
    public double Gamma { get; set; } = 0.95;

    /// <inheritdoc />
    public override IEnumerable<string> Validate() => base.Validate().Concat(ValidateDiscount(nameof(Gamma), Gamma));
}
