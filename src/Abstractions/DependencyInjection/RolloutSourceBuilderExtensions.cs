using GiGpoNet.Rollouts;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers rollout sources by name, so that configuration (<c>Training:RolloutSource</c>) can select them.</summary>
public static class RolloutSourceBuilderExtensions
{
    /// <summary>Registers <typeparamref name="TSource"/> under <paramref name="name"/>; it is created once, through DI.</summary>
    public static IGiGpoNetBuilder AddRolloutSource<TSource>(this IGiGpoNetBuilder builder, string name) where TSource : class, IRolloutSource =>
        builder.AddRolloutSource(name, typeof(TSource), sp => ActivatorUtilities.CreateInstance<TSource>(sp));

    /// <summary>Registers a rollout source created by <paramref name="create"/> under <paramref name="name"/>.</summary>
    public static IGiGpoNetBuilder AddRolloutSource(this IGiGpoNetBuilder builder, string name, Type implementationType, Func<IServiceProvider, IRolloutSource> create)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(create);
        var key = RolloutSourceRegistry.CheckedName(name);
        if (RolloutSourceRegistry.From(builder.Services).TryAdd(new RolloutSourceRegistration(key, implementationType)))
            builder.Services.AddKeyedSingleton(key, (sp, _) => create(sp));
        return builder;
    }
}
