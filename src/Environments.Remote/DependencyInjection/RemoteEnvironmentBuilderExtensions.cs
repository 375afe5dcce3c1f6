using GiGpoNet.Environments;
using GiGpoNet.Environments.Remote.Client;

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
        return builder;
    }
}
