using GiGpoNet;
using GiGpoNet.Environments;
using Microsoft.Extensions.Options;

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

    /// <summary>
    /// Registers <typeparamref name="TEnvironment"/> as <see cref="AddEnvironment{TEnvironment}"/> does, with options bound from
    /// <c>Environments:&lt;name&gt;</c> (unknown keys and values of the wrong type are errors), checked at start-up by every
    /// <see cref="IValidateOptions{TOptions}"/> registered for them, and given to the environment's constructor.
    /// </summary>
    /// <param name="builder">The builder from <c>AddGiGpoNet</c>.</param>
    /// <param name="description">The environment's name and facts.</param>
    /// <param name="configure">Defaults applied before configuration is bound.</param>
    public static IGiGpoNetBuilder AddEnvironment<TEnvironment, TOptions>(this IGiGpoNetBuilder builder, EnvironmentDescription description,
        Action<TOptions>? configure = null)
        where TEnvironment : class, IEnvironment
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(description);
        var key = EnvironmentRegistry.CheckedName(description.Name);
        var normalized = description with { Name = key };
        var registration = new EnvironmentRegistration(key, typeof(TEnvironment), normalized) { OptionsType = typeof(TOptions) };
        if (!EnvironmentRegistry.From(builder.Services).TryAdd(registration)) return builder;
        var options = builder.Services.AddOptions<TOptions>();
        if (configure is not null) options.Configure(configure);
        options.Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection($"{EnvironmentRegistry.EnvironmentsSection}:{key}"), o)).ValidateOnStart();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<TOptions>>().Value);
        builder.Services.AddKeyedSingleton<IEnvironmentFactory>(key, (sp, _) => new ActivatorEnvironmentFactory<TEnvironment>(sp, normalized));
        return builder;
    }
}
