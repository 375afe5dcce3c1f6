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
            Section<BackendOptions>(services, configuration, BackendOptions.SectionName, o => o.Validate());
            Section<OpenAiPolicyOptions>(services, configuration, OpenAiPolicyOptions.SectionName, null);
            services.AddSingleton<IValidateOptions<OpenAiPolicyOptions>, OpenAiPolicyValidator>();
            services.AddTransient<AdvantageFileJob>();
            services.AddSingleton(sp => new ConfigurationSections(configuration, sp.GetRequiredService<AdvantageEstimatorRegistry>(),
                sp.GetRequiredService<EnvironmentRegistry>()));
            services.AddOptions<TrainingComposition>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<TrainingComposition>, CompositionValidator>();
            services.AddTransient<IStartupValidator, GiGpoNetStartupValidator>(); // last: the one a host resolves
        }
        var builder = new GiGpoNetBuilder(services, configuration);
        TrainingServices.Add(builder);
        return builder;
    }

    /// <summary>
    /// As <see cref="AddGiGpoNet(IServiceCollection, IConfiguration)"/>, then <paramref name="configure"/> on the bound <c>Training</c>
    /// options: typed settings win over the configuration's and are validated at start-up like them. Every other section takes
    /// <c>services.Configure&lt;RolloutOptions&gt;(o =&gt; ...)</c> (Policy, WarmStart, Rollout, Update, Backend alike) and each
    /// estimator its own (<c>.AddGiGpo(o =&gt; o.Gamma = 0.9)</c>).
    /// </summary>
    public static IGiGpoNetBuilder AddGiGpoNet(this IServiceCollection services, IConfiguration configuration, Action<TrainingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = services.AddGiGpoNet(configuration);
        services.Configure(configure);
        return builder;
    }

    /// <summary>GiGPO.NET configured in code alone: the options' defaults, then <paramref name="configure"/> on the <c>Training</c> options.</summary>
    public static IGiGpoNetBuilder AddGiGpoNet(this IServiceCollection services, Action<TrainingOptions> configure) =>
        services.AddGiGpoNet(new ConfigurationBuilder().Build(), configure);

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
    /// Builds the service provider (registrations and scopes checked) and runs <see cref="ValidateGiGpoNetConfiguration"/> on it: the
    /// services of a host that must not start work on a bad configuration. The provider is disposed when a check fails.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static ServiceProvider BuildValidatedGiGpoNetProvider(this IServiceCollection services)
    {
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            provider.ValidateGiGpoNetConfiguration();
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Runs every start-up validation (options bound with unknown-key checks, value ranges, <c>Training:Algorithm</c>) now,
    /// before any work, the way the generic host does when it starts.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static IServiceProvider ValidateGiGpoNetConfiguration(this IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<ConfigurationSections>()?.Check();
        services.GetService<IStartupValidator>()?.Validate();
        return services;
    }
}
