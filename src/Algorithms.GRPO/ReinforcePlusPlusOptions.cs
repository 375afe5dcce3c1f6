using GiGpoNet.Advantages;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>Options of REINFORCE++, bound from <c>Algorithms:reinforce_plus_plus</c>.</summary>
public sealed class ReinforcePlusPlusOptions : AdvantageEstimatorOptions
{
    /// <summary>Discount of the token-level return inside a response (<c>algorithm.gamma</c>), in (0, 1]. Default 1.0, verl's default.</summary>
    [ReferenceParameter("gamma")]
    public double Gamma { get; set; } = 1.0;

    /// <inheritdoc />
    public override IEnumerable<string> Validate() => base.Validate().Concat(ValidateDiscount(nameof(Gamma), Gamma));
}
