using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Training;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using GiGpoNet.Hosting.Policies;
using GiGpoNet.Policies.OpenAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds GiGPO.NET to a service collection.</summary>
public static class GiGpoNetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the framework's core services and binds the <c>Training</c> section of <paramref name="configuration"/>
    /// (unknown keys are errors). Chain <c>.AddGiGpo()</c>, <c>.AddGrpo()</c>, ... or <see cref="AddBuiltInAlgorithms"/> on the result.
    /// <c>Training:Algorithm</c> is checked against the registered names at start-up.
    /// </summary>
    public static IGiGpoNetBuilder AddGiGpoNet(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AdvantageEstimatorRegistry.From(services);
        EnvironmentRegistry.From(services);
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TrainingOptions>)))
        {
            Section<TrainingOptions>(services, configuration, TrainingOptions.SectionName, null);
            services.AddSingleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>();
            Section<PolicyModelOptions>(services, configuration, PolicyModelOptions.SectionName, null);
            services.AddSingleton<IValidateOptions<PolicyModelOptions>, PolicyModelOptionsValidator>();
            Section<WarmStartOptions>(services, configuration, WarmStartOptions.SectionName, o => o.Validate());
            Section<RolloutOptions>(services, configuration, RolloutOptions.SectionName, o => o.Validate().Select(f => $"{RolloutOptions.SectionName}:{f}"));
            Section<UpdateOptions>(services, configuration, UpdateOptions.SectionName, o => o.Validate().Select(f => $"{UpdateOptions.SectionName}:{f}"));
            Section<BackendOptions>(services, configuration, BackendOptions.SectionName, null);
            Section<OpenAiPolicyOptions>(services, configuration, OpenAiPolicyOptions.SectionName, null);
            services.AddSingleton<IValidateOptions<OpenAiPolicyOptions>, OpenAiPolicyValidator>();
            services.AddTransient<AdvantageFileJob>();
            services.AddSingleton(sp => new ConfigurationSections(configuration, sp.GetRequiredService<AdvantageEstimatorRegistry>(),
                sp.GetRequiredService<EnvironmentRegistry>()));
            services.AddOptions<TrainingComposition>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<TrainingComposition>, CompositionValidator>();
        }
        var builder = new GiGpoNetBuilder(services, configuration);
        TrainingServices.Add(builder);
        return builder;
    }

    private static void Section<TOptions>(IServiceCollection services, IConfiguration configuration, string section,
        Func<TOptions, IEnumerable<string>>? validate) where TOptions : class
    {
        var builder = services.AddOptions<TOptions>()
            .Configure(o => StrictConfigurationBinder.Bind(configuration.GetSection(section), o));
        if (validate is not null) services.AddSingleton<IValidateOptions<TOptions>>(new FailuresValidator<TOptions>(validate));
        builder.ValidateOnStart();
    }

    private sealed class FailuresValidator<TOptions>(Func<TOptions, IEnumerable<string>> validate) : IValidateOptions<TOptions> where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options)
        {
            var failures = validate(options).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    /// <summary>Registers every built-in estimator: gigpo, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline and ppo.</summary>
    public static IGiGpoNetBuilder AddBuiltInAlgorithms(this IGiGpoNetBuilder builder) =>
        builder.AddGiGpo().AddGrpo().AddRloo().AddReinforcePlusPlus().AddReinforcePlusPlusBaseline().AddPpo();

    /// <summary>
    /// Everything built in: the algorithms, the environments (<c>search</c> included), those of the <c>RemoteEnvironments</c> section,
    /// and the rollout loop's default parts.
    /// </summary>
    public static IGiGpoNetBuilder AddBuiltIns(this IGiGpoNetBuilder builder) =>
        builder.AddBuiltInAlgorithms().AddBuiltInEnvironments().AddSearchEnvironment().AddRemoteEnvironments().AddRolloutDefaults();

    /// <summary>
    /// Runs every start-up validation (options bound with unknown-key checks, value ranges, <c>Training:Algorithm</c>) now,
    /// before any work, the way the generic host does when it starts.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static IServiceProvider ValidateGiGpoNetConfiguration(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<ConfigurationSections>()?.Check();
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException e)
        {
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, e.Failures), e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(i => i is OptionsValidationException))
        {
            var failures = e.InnerExceptions.Cast<OptionsValidationException>().SelectMany(i => i.Failures);
            throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, failures), e);
        }
        return services;
    }
}
