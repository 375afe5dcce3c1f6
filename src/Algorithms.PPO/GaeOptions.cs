using GiGpoNet.Advantages;

namespace GiGpoNet.Algorithms.Ppo;

/// <summary>Options of PPO's generalized advantage estimation, bound from <c>Algorithms:ppo</c>.</summary>
public sealed class GaeOptions : AdvantageEstimatorOptions
{
    /// <summary>Discount γ (<c>algorithm.gamma</c>), in (0, 1]. Default 1.0, as verl and the verl-agent PPO scripts use.</summary>
    [ReferenceParameter("gamma")]
    public double Gamma { get; set; } = 1.0;

    /// <summary>GAE's λ (<c>algorithm.lam</c>), finite and 0 or more (the reference checks no range). Default 1.0.</summary>
    [ReferenceParameter("lam")]
    public double Lambda { get; set; } = 1.0;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var failure in base.Validate()) yield return failure;
        foreach (var failure in ValidateDiscount(nameof(Gamma), Gamma)) yield return failure;
        if (!(double.IsFinite(Lambda) && Lambda >= 0)) yield return $"{nameof(Lambda)} = {Lambda} must be a finite number of 0 or more (0: one-step TD; 1: Monte Carlo).";
    }
}
