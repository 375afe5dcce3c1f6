using GiGpoNet.Environments;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers environments by name, so that configuration can select them.</summary>
public static class EnvironmentBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TEnvironment"/> under <paramref name="description"/>'s name: an <see cref="IEnvironmentFactory"/> keyed
    /// by that name creates a new instance (through DI, so its constructor can take registered services) for every trajectory.
    /// </summary>
    public static IGiGpoNetBuilder AddEnvironment<TEnvironment>(this IGiGpoNetBuilder builder, EnvironmentDescription description)
        where TEnvironment : class, IEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(description);
        var key = EnvironmentRegistry.CheckedName(description.Name);
        var normalized = description with { Name = key };
        if (!EnvironmentRegistry.From(builder.Services).TryAdd(new EnvironmentRegistration(key, typeof(TEnvironment), normalized)))
            return builder;
        builder.Services.AddKeyedSingleton<IEnvironmentFactory>(key, (sp, _) => new ActivatorEnvironmentFactory<TEnvironment>(sp, normalized));
        return builder;
    }
}
