using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.DependencyInjection;

/// <summary>
/// The parts of a training run, each registered with TryAdd so that a service registered before <c>AddGiGpoNet</c> replaces it:
/// the <c>learner</c> policy, the <c>environment</c> rollout source, the warm start, the evaluator,
/// the iteration, the checkpoint store, the recorder and the trainer itself.
/// </summary>
internal static class TrainingServices
{
    public static void Add(IGiGpoNetBuilder builder)
    {
        var services = builder.Services;
        builder.AddRolloutDefaults(); // the environment loop's parts; a later registration of any of them replaces it
        builder.AddPolicyProvider<LearnerPolicyProvider>(PolicyRegistry.Learner);
        builder.AddRolloutSource(RolloutSourceRegistry.Environment, typeof(EnvironmentRolloutSource), sp => new EnvironmentRolloutSource(
            SelectedEnvironment(sp), Options<RolloutOptions>(sp), sp.GetRequiredService<IPromptBuilder>(), sp.GetRequiredService<IActionParser>(),
            sp.GetRequiredService<IEpisodeMemoryFactory>()));

        services.TryAddSingleton<IRunRecorderFactory, RunRecorderFactory>();
        services.TryAddSingleton<ICheckpointStore>(sp => new CheckpointStore(Options<TrainingOptions>(sp)));
        services.TryAddTransient<IEvaluator>(sp => new EnvironmentEvaluator(
            sp.GetRequiredKeyedService<IRolloutSource>(RolloutSourceRegistry.Environment), Options<TrainingOptions>(sp)));
        services.TryAddTransient<ITrainingStep>(sp => new RolloutTrainingStep(SelectedRolloutSource(sp), SelectedEstimator(sp), Options<TrainingOptions>(sp)));
        services.TryAddTransient<IWarmStart>(sp => new ExpertWarmStart(SelectedEnvironment(sp), sp.GetRequiredService<IPromptBuilder>(),
            sp.GetRequiredService<IEpisodeMemoryFactory>(), Options<RolloutOptions>(sp), Options<WarmStartOptions>(sp), Options<TrainingOptions>(sp),
            LearnerFactory(sp), sp.GetRequiredService<IEvaluator>()));
        services.TryAddTransient(sp =>
        {
            var learners = LearnerFactory(sp); // first: without a learner nothing else matters
            return new AgentTrainer(Options<TrainingOptions>(sp), Describe(sp, builder.Configuration), learners, SelectedPolicy(sp),
                sp.GetRequiredService<IWarmStart>(), sp.GetRequiredService<ITrainingStep>(), sp.GetRequiredService<IEvaluator>(),
                sp.GetRequiredService<ICheckpointStore>(), sp.GetRequiredService<IRunRecorderFactory>(), sp.GetService<ILogger<AgentTrainer>>());
        });
    }

    /// <summary>The registered learner factory, or an error that says which package registers one.</summary>
    public static ILearnerFactory LearnerFactory(IServiceProvider services) => services.GetService<ILearnerFactory>() ?? throw new GiGpoNetConfigurationException(
        "No learner is registered, and a training run needs one to hold the weights it trains: add .AddTorchSharpLearner() (package " +
        "GiGpoNet.Backend.TorchSharp) or .AddBuiltIns() (package GiGpoNet) after AddGiGpoNet, or register an ILearnerFactory of your own.");

    /// <summary>The estimator named by <c>Training:Algorithm</c>.</summary>
    public static IAdvantageEstimator SelectedEstimator(IServiceProvider services) =>
        services.GetRequiredService<IAdvantageEstimatorProvider>().Get(Options<TrainingOptions>(services).Algorithm);

    /// <summary>The environment named by <c>Training:Environment</c>.</summary>
    public static IEnvironmentFactory SelectedEnvironment(IServiceProvider services) =>
        services.GetRequiredKeyedService<IEnvironmentFactory>(services.GetRequiredService<EnvironmentRegistry>().Get(Options<TrainingOptions>(services).Environment).Name);

    /// <summary>The rollout source named by <c>Training:RolloutSource</c>.</summary>
    public static IRolloutSource SelectedRolloutSource(IServiceProvider services) =>
        services.GetRequiredKeyedService<IRolloutSource>(services.GetRequiredService<RolloutSourceRegistry>().Get(Options<TrainingOptions>(services).RolloutSource).Name);

    /// <summary>The policy provider named by <c>Training:Policy</c>.</summary>
    public static IPolicyProvider SelectedPolicy(IServiceProvider services) =>
        services.GetRequiredKeyedService<IPolicyProvider>(services.GetRequiredService<PolicyRegistry>().Get(Options<TrainingOptions>(services).Policy).Name);

    private static RunDescription Describe(IServiceProvider services, IConfiguration configuration)
    {
        var training = Options<TrainingOptions>(services);
        var estimator = services.GetRequiredService<AdvantageEstimatorRegistry>().Get(training.Algorithm).Name;
        var environment = services.GetRequiredService<EnvironmentRegistry>().Get(training.Environment).Name;
        return new RunDescription(estimator, environment, SelectedEstimator(services).RequiredFields.HasFlag(Data.RolloutFields.CriticValues),
            RunConfiguration.Json(services, configuration, estimator, environment));
    }

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;

    /// <summary>The built-in <c>learner</c> policy: the learner's current weights.</summary>
    private sealed class LearnerPolicyProvider : IPolicyProvider
    {
        public bool IsLearner => true;

        public IPolicy Get(ILearner? learner) => learner?.Policy ?? throw new GiGpoNetConfigurationException(
            "The policy 'learner' is the weights being trained, so it exists only in a training run; outside one, load a checkpoint (gigpo eval <checkpoint>) or choose a " +
                "registered policy.");
    }
}
