using GiGpoNet.Algorithms.GiGpo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers GiGPO.</summary>
public static class GiGpoBuilderExtensions
{
    /// <summary>The name GiGPO is registered and selected by.</summary>
    public const string Name = "gigpo";

    /// <summary>
    /// Registers the GiGPO estimator as <c>gigpo</c>, with <see cref="GiGpoOptions"/> bound from <c>Algorithms:gigpo</c>.
    /// </summary>
    public static IGiGpoNetBuilder AddGiGpo(this IGiGpoNetBuilder builder, Action<GiGpoOptions>? configure = null) =>
        builder.AddAdvantageEstimator<GiGpoAdvantageEstimator, GiGpoOptions>(Name, configure);
}
