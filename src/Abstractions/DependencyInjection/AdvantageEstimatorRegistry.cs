using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Advantages;

/// <summary>
/// The names of all registered advantage estimators. The DI container cannot list the keys of keyed services, so the
/// framework keeps this registry to validate <c>Training:Algorithm</c> and to say which names exist when one does not.
/// </summary>
public sealed class AdvantageEstimatorRegistry
{
    /// <summary>The configuration section under which each estimator's options live.</summary>
    public const string AlgorithmsSection = "Algorithms";

    private readonly Dictionary<string, AdvantageEstimatorRegistration> _byName = new(StringComparer.Ordinal);

    /// <summary>All registrations, in registration order.</summary>
    public IReadOnlyList<AdvantageEstimatorRegistration> Registrations => [.. _byName.Values];

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Normalizes a user-given name: trimmed and lower-case, since configuration, environment variables and flags vary in case.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant();
    }

    /// <summary>Finds a registration by name (case-insensitive).</summary>
    public bool TryGet(string? name, out AdvantageEstimatorRegistration registration)
    {
        registration = null!;
        return name is not null && _byName.TryGetValue(Normalize(name), out registration!);
    }

    /// <summary>The registration for <paramref name="name"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">No estimator has that name; the message lists the registered ones.</exception>
    public AdvantageEstimatorRegistration Get(string? name) =>
        TryGet(name, out var registration) ? registration : throw new GiGpoNetConfigurationException(UnknownNameMessage(name));

    /// <summary>The one-line message for an unknown name, listing the registered names and how to add one.</summary>
    public string UnknownNameMessage(string? name) =>
        string.IsNullOrWhiteSpace(name)
            ? $"No algorithm is selected: set Training:Algorithm to one of: {string.Join(", ", Names)}."
            : $"'{name}' is not a registered advantage estimator. Registered: {string.Join(", ", Names)}. " +
              "Register your own with builder.AddAdvantageEstimator<TEstimator, TOptions>(\"name\").";

    /// <summary>Adds a registration; returns false when the same one is already there (registering twice is harmless).</summary>
    /// <exception cref="InvalidOperationException">The name is taken by another estimator type.</exception>
    internal bool TryAdd(AdvantageEstimatorRegistration registration)
    {
        if (_byName.TryGetValue(registration.Name, out var existing))
        {
            if (existing.EstimatorType != registration.EstimatorType)
                throw new InvalidOperationException(
                    $"The estimator name '{registration.Name}' is already registered for {existing.EstimatorType.FullName}; choose another name for {registration.EstimatorType.FullName}.");
            return false;
        }
        _byName.Add(registration.Name, registration);
        return true;
    }

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static AdvantageEstimatorRegistry From(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in services)
            if (descriptor.ServiceType == typeof(AdvantageEstimatorRegistry) && descriptor.ImplementationInstance is AdvantageEstimatorRegistry existing)
                return existing;
        var registry = new AdvantageEstimatorRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
