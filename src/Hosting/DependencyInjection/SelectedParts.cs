using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.DependencyInjection;

/// <summary>
/// The parts the <c>Training</c> section selects by name (estimator, environment, rollout source, policy) and the registered learner
/// factory, resolved when asked: what the built-in parts take through their constructors instead of the provider.
/// </summary>
internal sealed class SelectedParts(IServiceProvider services, IOptions<TrainingOptions> training)
{
    /// <summary>The estimator named by <c>Training:Algorithm</c>.</summary>
    public IAdvantageEstimator Estimator() => services.GetRequiredService<IAdvantageEstimatorProvider>().Get(training.Value.Algorithm);

    /// <summary>The environment named by <c>Training:Environment</c>.</summary>
    public IEnvironmentFactory Environment() =>
        services.GetRequiredKeyedService<IEnvironmentFactory>(services.GetRequiredService<EnvironmentRegistry>().Get(training.Value.Environment).Name);

    /// <summary>The rollout source named by <c>Training:RolloutSource</c>.</summary>
    public IRolloutSource RolloutSource() =>
        services.GetRequiredKeyedService<IRolloutSource>(services.GetRequiredService<RolloutSourceRegistry>().Get(training.Value.RolloutSource).Name);

    /// <summary>The policy provider named by <c>Training:Policy</c>.</summary>
    public IPolicyProvider Policy() =>
        services.GetRequiredKeyedService<IPolicyProvider>(services.GetRequiredService<PolicyRegistry>().Get(training.Value.Policy).Name);

    /// <summary>The registered learner factory, or an error that says which package registers one.</summary>
    public ILearnerFactory LearnerFactory() => services.GetService<ILearnerFactory>() ?? throw new GiGpoNetConfigurationException(
        "No learner is registered, and a training run needs one to hold the weights it trains: add .AddTorchSharpLearner() (package " +
        "GiGpoNet.Backend.TorchSharp) or .AddBuiltIns() (package GiGpoNet) after AddGiGpoNet, or register an ILearnerFactory of your own.");
}
