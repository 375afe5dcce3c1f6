using GiGpoNet;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Remote.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        var options = new RemoteEnvironmentOptions { Environment = key };
        configure(options);
        var placeholder = new EnvironmentDescription(key, options.MaxSteps > 0 ? options.MaxSteps : 50, [], "");
        if (!EnvironmentRegistry.From(builder.Services).TryAdd(new EnvironmentRegistration(key, typeof(RemoteEnvironment), placeholder)))
            return builder;
        builder.Services.AddKeyedSingleton<IEnvironmentFactory>(key, (_, _) => new RemoteEnvironmentFactory(new RemoteEnvironmentClient(options), key));
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
    /// <exception cref="GiGpoNetConfigurationException">A key is unknown, or a value is not usable; the message names it.</exception>
    public static IGiGpoNetBuilder AddRemoteEnvironments(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddConfigurationSection(SectionName, SectionRecording.SelectedEnvironment, nameof(RemoteEnvironmentOptions.ApiKey));
        foreach (var child in builder.Configuration.GetSection(SectionName).GetChildren())
            builder.AddRemoteEnvironment(child.Key, options =>
            {
                StrictConfigurationBinder.Bind(child, options);
                if (!Uri.TryCreate(options.BaseAddress, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
                    throw new GiGpoNetConfigurationException($"{child.Path}:BaseAddress = '{options.BaseAddress}' is not an http(s) address such as http://127.0.0.1:5005.");
                if (options.Retries < 0) throw new GiGpoNetConfigurationException($"{child.Path}:Retries = {options.Retries} must be 0 or more.");
                if (options.AttemptTimeout <= TimeSpan.Zero)
                    throw new GiGpoNetConfigurationException($"{child.Path}:AttemptTimeout = {options.AttemptTimeout} must be positive (for example 00:00:30).");
                if (options.RetryDelay < TimeSpan.Zero) throw new GiGpoNetConfigurationException($"{child.Path}:RetryDelay = {options.RetryDelay} must not be negative.");
                if (options.MaxSteps < 0) throw new GiGpoNetConfigurationException($"{child.Path}:MaxSteps = {options.MaxSteps} must be 0 (ask the server) or more.");
            });
        return builder;
    }
}
