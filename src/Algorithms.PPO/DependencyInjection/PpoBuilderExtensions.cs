using GiGpoNet.Algorithms.Ppo;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers PPO's advantage estimator (GAE with a critic).</summary>
public static class PpoBuilderExtensions
{
    /// <summary>Registers GAE as <c>ppo</c>, options from <c>Algorithms:ppo</c>. It needs a rollout source that records critic values.</summary>
    public static IGiGpoNetBuilder AddPpo(this IGiGpoNetBuilder builder, Action<GaeOptions>? configure = null) =>
        builder.AddAdvantageEstimator<GaeAdvantageEstimator, GaeOptions>("ppo", configure);
}
