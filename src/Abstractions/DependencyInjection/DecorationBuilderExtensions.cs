namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Wraps a registered part in one of your own, keeping the one it wraps.</summary>
public static class DecorationBuilderExtensions
{
    /// <summary>
    /// Replaces the last registration of <typeparamref name="TService"/> with <paramref name="decorate"/> applied to it, with the same
    /// lifetime: the part built as before is handed to yours, which adds to it (a metric, a log line, a retry) and delegates. Call it
    /// after the registration it wraps (<c>AddGiGpoNet</c> registers the trainer's parts: <c>ITrainingStep</c>, <c>IWarmStart</c>,
    /// <c>IEvaluator</c>, <c>ICheckpointStore</c>, <c>IRunRecorderFactory</c>); decorations stack, the last outermost.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is registered as <typeparamref name="TService"/> yet.</exception>
    public static IGiGpoNetBuilder Decorate<TService>(this IGiGpoNetBuilder builder, Func<TService, IServiceProvider, TService> decorate) where TService : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(decorate);
        var services = builder.Services;
        var index = -1;
        for (var i = services.Count - 1; i >= 0 && index < 0; i--)
            if (services[i].ServiceType == typeof(TService) && !services[i].IsKeyedService) index = i;
        if (index < 0)
            throw new InvalidOperationException($"No {typeof(TService).Name} is registered to decorate: call Decorate<{typeof(TService).Name}> after the " +
                                                "registration it wraps (AddGiGpoNet registers the trainer's parts), or register one first.");
        var inner = services[index];
        services[index] = ServiceDescriptor.Describe(typeof(TService), sp => decorate((TService)Build(inner, sp), sp), inner.Lifetime);
        return builder;
    }

    private static object Build(ServiceDescriptor descriptor, IServiceProvider services) =>
        descriptor.ImplementationInstance ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
