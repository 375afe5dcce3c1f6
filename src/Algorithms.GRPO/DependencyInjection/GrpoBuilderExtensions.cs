using GiGpoNet.Algorithms.Grpo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GRPO and the group-baseline family (RLOO, REINFORCE++, REINFORCE++-baseline).</summary>
public static class GrpoBuilderExtensions
{
    /// <summary>Registers GRPO as <c>grpo</c>, options from <c>Algorithms:grpo</c>.</summary>
    public static IGiGpoNetBuilder AddGrpo(this IGiGpoNetBuilder builder, Action<GrpoOptions>? configure = null) =>
        builder.AddAdvantageEstimator<GrpoAdvantageEstimator, GrpoOptions>("grpo", configure);

    /// <summary>Registers RLOO as <c>rloo</c>, options from <c>Algorithms:rloo</c>.</summary>
    public static IGiGpoNetBuilder AddRloo(this IGiGpoNetBuilder builder, Action<RlooOptions>? configure = null) =>
        builder.AddAdvantageEstimator<RlooAdvantageEstimator, RlooOptions>("rloo", configure);

    /// <summary>Registers REINFORCE++ as <c>reinforce_plus_plus</c>, options from <c>Algorithms:reinforce_plus_plus</c>.</summary>
    public static IGiGpoNetBuilder AddReinforcePlusPlus(this IGiGpoNetBuilder builder, Action<ReinforcePlusPlusOptions>? configure = null) =>
        builder.AddAdvantageEstimator<ReinforcePlusPlusAdvantageEstimator, ReinforcePlusPlusOptions>("reinforce_plus_plus", configure);

    /// <summary>Registers REINFORCE++-baseline as <c>reinforce_plus_plus_baseline</c>, options from <c>Algorithms:reinforce_plus_plus_baseline</c>.</summary>
    public static IGiGpoNetBuilder AddReinforcePlusPlusBaseline(this IGiGpoNetBuilder builder,
        Action<ReinforcePlusPlusBaselineOptions>? configure = null) =>
        builder.AddAdvantageEstimator<ReinforcePlusPlusBaselineAdvantageEstimator, ReinforcePlusPlusBaselineOptions>("reinforce_plus_plus_baseline", configure);
}
