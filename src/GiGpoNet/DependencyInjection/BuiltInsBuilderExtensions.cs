namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers every part GiGPO.NET ships, each through its own package's <c>AddXxx</c>.</summary>
public static class BuiltInsBuilderExtensions
{
    /// <summary>Registers every built-in estimator: gigpo, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline and ppo.</summary>
    public static IGiGpoNetBuilder AddBuiltInAlgorithms(this IGiGpoNetBuilder builder) =>
        builder.AddGiGpo().AddGrpo().AddRloo().AddReinforcePlusPlus().AddReinforcePlusPlusBaseline().AddPpo();

    /// <summary>
    /// Everything built in: the TorchSharp learner, the algorithms, the environments (<c>search</c> included), those of the
    /// <c>RemoteEnvironments</c> section, the <c>openai</c> policy and the rollout loop's default parts.
    /// </summary>
    public static IGiGpoNetBuilder AddBuiltIns(this IGiGpoNetBuilder builder) =>
        builder.AddTorchSharpLearner().AddBuiltInAlgorithms().AddBuiltInEnvironments().AddSearchEnvironment().AddRemoteEnvironments().AddOpenAiPolicy()
            .AddRolloutDefaults();
}
