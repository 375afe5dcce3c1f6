using GiGpoNet.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace CustomEstimator;

/// <summary>
/// This project, built, is also a plugin of the <c>gigpo</c> CLI:
/// <c>gigpo train --Plugins:0=samples/CustomEstimator/bin/Debug/net10.0/CustomEstimator.dll --Training:Algorithm=time_aligned</c>.
/// </summary>
public sealed class TimeAlignedPlugin : IGiGpoNetPlugin
{
    /// <inheritdoc />
    public void Register(IGiGpoNetBuilder builder) => builder.AddTimeAligned();
}

/// <summary>The one call that registers the estimator, used by the plugin and by the host in <see cref="CustomEstimatorSample"/>.</summary>
public static class TimeAlignedBuilderExtensions
{
    /// <summary>Registers <see cref="TimeAlignedBaselineEstimator"/> as <c>time_aligned</c>, its options bound from <c>Algorithms:time_aligned</c>.</summary>
    public static IGiGpoNetBuilder AddTimeAligned(this IGiGpoNetBuilder builder) =>
        builder.AddAdvantageEstimator<TimeAlignedBaselineEstimator, TimeAlignedBaselineOptions>("time_aligned");
}
