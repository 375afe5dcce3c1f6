using GiGpoNet;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Remote;
using GiGpoNet.Environments.Remote.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers environments served by a remote server.</summary>
public static class RemoteEnvironmentBuilderExtensions
{
    /// <summary>
    /// Registers the environment <paramref name="name"/> as a remote one: every trajectory gets a <see cref="RemoteEnvironment"/> talking to
    /// <see cref="RemoteEnvironmentOptions.BaseAddress"/>. It is then selected by name like a built-in environment.
    /// </summary>
    public static IGiGpoNetBuilder AddRemoteEnvironment(this IGiGpoNetBuilder builder, string name, Action<RemoteEnvironmentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var key = EnvironmentRegistry.CheckedName(name);
        var placeholder = new RemoteEnvironmentOptions { Environment = key };
        configure(placeholder);
        return builder.AddRemoteEnvironment(key, configure, placeholder.MaxSteps);
    }

    /// <summary>
    /// Registers <paramref name="key"/> with its options named by it: <paramref name="configure"/> runs when they are first read, and
    /// start-up validates them (<see cref="RemoteEnvironmentOptionsValidator"/>); the registry's placeholder description carries
    /// <paramref name="maxSteps"/> until the server's is read.
    /// </summary>
    private static IGiGpoNetBuilder AddRemoteEnvironment(this IGiGpoNetBuilder builder, string key, Action<RemoteEnvironmentOptions> configure, int maxSteps)
    {
        var placeholder = new EnvironmentDescription(key, maxSteps > 0 ? maxSteps : 50, [], "");
        if (!EnvironmentRegistry.From(builder.Services).TryAdd(new EnvironmentRegistration(key, typeof(RemoteEnvironment), placeholder)))
            return builder;
        builder.Services.AddOptions<RemoteEnvironmentOptions>(key).Configure(o =>
        {
            o.Environment = key;
            configure(o);
        }).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RemoteEnvironmentOptions>, RemoteEnvironmentOptionsValidator>());
        builder.Services.AddKeyedSingleton<IEnvironmentFactory>(key, (sp, _) =>
            new RemoteEnvironmentFactory(new RemoteEnvironmentClient(sp.GetRequiredService<IOptionsMonitor<RemoteEnvironmentOptions>>().Get(key)), key));
        builder.Services.TryAddSingleton(new RemoteEnvironmentCheck.Selection(builder.Configuration));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupCheck, RemoteEnvironmentCheck>());
        return builder;
    }

    /// <summary>The configuration section whose children each register a remote environment: <c>RemoteEnvironments:&lt;name&gt;:BaseAddress</c>, ....</summary>
    public const string SectionName = "RemoteEnvironments";

    /// <summary>
    /// Registers a remote environment for each child of the <see cref="SectionName"/> section, named by its key and configured by its
    /// <see cref="RemoteEnvironmentOptions"/> keys (<c>--RemoteEnvironments:alfworld:BaseAddress=http://host:5005</c>, then
    /// <c>--Training:Environment=alfworld</c>), so a <c>gigpo</c> run reaches a server without code. A run's <c>configuration.json</c>
    /// records the chosen one's keys, without its <c>ApiKey</c>.
    /// </summary>
    /// <remarks>An unknown key, or a value that is not usable, stops start-up with a message that names it.</remarks>
    public static IGiGpoNetBuilder AddRemoteEnvironments(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConfigurationSection(SectionName, SectionRecording.SelectedEnvironment, nameof(RemoteEnvironmentOptions.ApiKey));
        foreach (var child in builder.Configuration.GetSection(SectionName).GetChildren())
        {
            // Bound and validated at start-up with the other options; the step limit is read here only for the registry's placeholder.
            var maxSteps = int.TryParse(child[nameof(RemoteEnvironmentOptions.MaxSteps)], out var steps) ? steps : 0;
            builder.AddRemoteEnvironment(EnvironmentRegistry.CheckedName(child.Key), options => StrictConfigurationBinder.Bind(child, options), maxSteps);
        }
        return builder;
    }
}
