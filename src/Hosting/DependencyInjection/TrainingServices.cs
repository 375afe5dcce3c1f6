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
            sp.GetRequiredService<SelectedParts>().Environment(), Options<RolloutOptions>(sp), sp.GetRequiredService<IPromptBuilder>(),
            sp.GetRequiredService<IActionParser>(), sp.GetRequiredService<IEpisodeMemoryFactory>()));

        services.TryAddTransient<SelectedParts>();
        services.TryAddSingleton<IRunRecorderFactory, RunRecorderFactory>();
        services.TryAddSingleton<ICheckpointStore, CheckpointStore>();
        services.TryAddTransient<IEvaluator, EnvironmentEvaluator>();
        services.TryAddTransient<ITrainingStep, RolloutTrainingStep>();
        services.TryAddTransient<WarmStartPlan>();
        services.TryAddTransient<IWarmStart>(sp =>
        {
            var plan = sp.GetRequiredService<WarmStartPlan>(); // one plan, so that the demonstrations are collected once
            return new CachedWarmStart(new ExpertWarmStart(plan, sp.GetRequiredService<IEvaluator>()), plan);
        });
        services.TryAddTransient(sp =>
        {
            var parts = sp.GetRequiredService<SelectedParts>();
            var learners = parts.LearnerFactory(); // first: without a learner nothing else matters
            return new AgentTrainer(Options<TrainingOptions>(sp), Describe(sp, parts, builder.Configuration), learners, parts.Policy(),
                sp.GetRequiredService<IWarmStart>(), sp.GetRequiredService<ITrainingStep>(), sp.GetRequiredService<IEvaluator>(),
                sp.GetRequiredService<ICheckpointStore>(), sp.GetRequiredService<IRunRecorderFactory>(), sp.GetService<ILogger<AgentTrainer>>());
        });
    }

    private static RunDescription Describe(IServiceProvider services, SelectedParts parts, IConfiguration configuration)
    {
        var training = Options<TrainingOptions>(services);
        var estimator = services.GetRequiredService<AdvantageEstimatorRegistry>().Get(training.Algorithm).Name;
        var environment = services.GetRequiredService<EnvironmentRegistry>().Get(training.Environment).Name;
        return new RunDescription(estimator, environment, parts.Estimator().RequiredFields.HasFlag(Data.RolloutFields.CriticValues),
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
