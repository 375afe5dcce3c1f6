using GiGpoNet.Advantages;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>Options of GRPO, bound from <c>Algorithms:grpo</c>.</summary>
public sealed class GrpoOptions : GroupOutcomeOptions
{
    /// <summary>
    /// Divide by the group's standard deviation (<c>norm_adv_by_std_in_grpo</c>). Default true; false is Dr.GRPO's A = s − mean.
    /// </summary>
    [ReferenceParameter("norm_adv_by_std_in_grpo")]
    public bool NormalizeByStd { get; set; } = true;

    /// <summary>ε added to the standard deviation. Default 1e-6.</summary>
    [ReferenceParameter("epsilon")]
    public double Epsilon { get; set; } = 1e-6;

    /// <inheritdoc />
    public override IEnumerable<string> Validate() => base.Validate().Concat(ValidateEpsilon(nameof(Epsilon), Epsilon));
}
