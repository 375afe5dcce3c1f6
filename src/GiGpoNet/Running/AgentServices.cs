using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Running;

/// <summary>
/// The services of one piece of work, built the way <c>gigpo</c> builds them: the run's settings as configuration keys, every built-in
/// and plugin registered, the context's own registrations, and every start-up check run before any work.
/// </summary>
internal sealed class AgentServices(IReadOnlyList<string> plugins, Action<IGiGpoNetBuilder>? register, ILoggerFactory? logging)
{
    private (AdvantageEstimatorRegistry Algorithms, EnvironmentRegistry Environments)? _registries;

    /// <summary>The registered estimators and environments, built-ins, plugins and the context's own registrations alike.</summary>
    public (AdvantageEstimatorRegistry Algorithms, EnvironmentRegistry Environments) Registries =>
        _registries ??= Registered(new ServiceCollection(), Configuration(new Dictionary<string, string>()));

    /// <summary>The validated services of a configuration given as keys (<c>Training:Iterations</c> = <c>30</c>).</summary>
    /// <exception cref="GiGpoNetConfigurationException">A setting is wrong; the message has one line per problem.</exception>
    public ServiceProvider Build(IReadOnlyDictionary<string, string> settings)
    {
        var services = new ServiceCollection();
        if (logging is not null) services.AddSingleton(logging); // before AddLogging, which adds its own factory only when none is there
        services.AddLogging();
        Registered(services, Configuration(settings));
        return services.BuildValidatedGiGpoNetProvider();
    }

    /// <summary>Runs the start-up checks on <paramref name="settings"/> and lets the services go.</summary>
    public void Validate(IReadOnlyDictionary<string, string> settings) => Build(settings).Dispose();

    /// <summary>Runs the start-up checks on <paramref name="settings"/> and returns the effective configuration a run of them records.</summary>
    public string EffectiveConfiguration(IReadOnlyDictionary<string, string> settings)
    {
        using var provider = Build(settings);
        return provider.GetRequiredService<AgentTrainer>().EffectiveConfiguration();
    }

    private IConfiguration Configuration(IReadOnlyDictionary<string, string> settings) => new ConfigurationBuilder()
        .AddInMemoryCollection([.. settings.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)),
            .. plugins.Select((path, i) => new KeyValuePair<string, string?>($"{PluginBuilderExtensions.SectionName}:{i}", path))])
        .Build();

    private (AdvantageEstimatorRegistry, EnvironmentRegistry) Registered(IServiceCollection services, IConfiguration configuration)
    {
        var builder = services.AddGiGpoNet(configuration).AddBuiltIns().AddLearningCurves().AddPlugins();
        register?.Invoke(builder);
        return (AdvantageEstimatorRegistry.From(services), EnvironmentRegistry.From(services));
    }
}
