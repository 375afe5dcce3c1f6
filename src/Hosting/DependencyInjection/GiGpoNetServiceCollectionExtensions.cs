using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds GiGPO.NET to a service collection.</summary>
public static class GiGpoNetServiceCollectionExtensions
{
    /// <summary>
    /// Adds the framework's core services and binds the <c>Training</c> section of <paramref name="configuration"/>
    /// (unknown keys are errors). Chain the parts on the result: <c>.AddTorchSharpLearner()</c>, <c>.AddGiGpo()</c>, <c>.AddBuiltInEnvironments()</c>, ..., or
    /// <c>.AddBuiltIns()</c> (package GiGpoNet) for all of them.
    /// <c>Training:Algorithm</c> is checked against the registered names at start-up.
    /// </summary>
    public static IGiGpoNetBuilder AddGiGpoNet(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AdvantageEstimatorRegistry.From(services);
        EnvironmentRegistry.From(services);
        var builder = new GiGpoNetBuilder(services, configuration);
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TrainingOptions>)))
        {
            builder.AddConfigurationSection<TrainingOptions>(TrainingOptions.SectionName);
            services.AddSingleton<IValidateOptions<TrainingOptions>, TrainingOptionsValidator>();
            builder.AddConfigurationSection<WarmStartOptions>(WarmStartOptions.SectionName, o => o.Validate());
            builder.AddConfigurationSection<RolloutOptions>(RolloutOptions.SectionName, o => o.Validate().Select(f => $"{RolloutOptions.SectionName}:{f}"));
            foreach (var section in ConfigurationSections.Core) builder.AddConfigurationSection(section, SectionRecording.None);
            services.AddTransient<AdvantageFileJob>();
            services.AddSingleton(sp => new ConfigurationSections(configuration, sp.GetServices<ConfigurationSectionDeclaration>(),
                sp.GetRequiredService<AdvantageEstimatorRegistry>(), sp.GetRequiredService<EnvironmentRegistry>()));
            services.AddOptions<TrainingComposition>().ValidateOnStart();
            services.AddSingleton<IValidateOptions<TrainingComposition>, CompositionValidator>();
            services.AddTransient<IStartupValidator, GiGpoNetStartupValidator>(); // last: the one a host resolves
            services.AddSingleton<IHostedService, StartupChecks>(); // a generic host's StartAsync runs the checks after the options validate
        }
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
    /// Runs every start-up validation now, before any work, the way the generic host does when it starts: options bound with
    /// unknown-key checks, value ranges, <c>Training:Algorithm</c> and how the parts fit; then the <see cref="IStartupCheck"/>s that reach
    /// outside the process (the inference server of an <c>openai</c> policy, a remote environment or retriever), asynchronously.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static async Task ValidateGiGpoNetConfigurationAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<ConfigurationSections>()?.Check();
        services.GetService<IStartupValidator>()?.Validate();
        await StartupChecks.RunAsync(services, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="ValidateGiGpoNetConfigurationAsync"/> for a caller that cannot await (a console program's first lines); it blocks on the
    /// start-up checks.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">Something is wrong; the message has one line per problem.</exception>
    public static IServiceProvider ValidateGiGpoNetConfiguration(this IServiceProvider services)
    {
        services.ValidateGiGpoNetConfigurationAsync().GetAwaiter().GetResult();
        return services;
    }
}
