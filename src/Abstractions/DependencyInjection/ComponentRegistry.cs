using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet;

/// <summary>A named, registered component (an estimator, an environment).</summary>
public interface IComponentRegistration
{
    /// <summary>The lower-case name it is selected by.</summary>
    string Name { get; }

    /// <summary>The implementation type (two registrations of one name must agree on it).</summary>
    Type ImplementationType { get; }
}

/// <summary>
/// The names of the registered components of one kind. The DI container cannot list the keys of keyed services, so the framework
/// keeps these registries to validate configuration and to say which names exist when one does not.
/// </summary>
/// <typeparam name="TRegistration">The registration record.</typeparam>
public abstract class ComponentRegistry<TRegistration> where TRegistration : class, IComponentRegistration
{
    private readonly Dictionary<string, TRegistration> _byName = new(StringComparer.Ordinal);

    /// <summary>What the components are called in messages ("advantage estimator").</summary>
    protected abstract string Kind { get; }

    /// <summary>The configuration key that selects one ("Training:Algorithm").</summary>
    protected abstract string SelectingKey { get; }

    /// <summary>The call that registers one, for messages.</summary>
    protected abstract string RegistrationHint { get; }

    /// <summary>All registrations, in registration order.</summary>
    public IReadOnlyList<TRegistration> Registrations => [.. _byName.Values];

    /// <summary>The registered names, sorted.</summary>
    public IReadOnlyList<string> Names => [.. _byName.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Normalizes a user-given name: trimmed and lower-case, since configuration, environment variables and flags vary in case.</summary>
    public static string Normalize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant();
    }

    /// <summary>Finds a registration by name (case-insensitive).</summary>
    public bool TryGet(string? name, out TRegistration registration)
    {
        registration = null!;
        return name is not null && _byName.TryGetValue(Normalize(name), out registration!);
    }

    /// <summary>The registration for <paramref name="name"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Nothing has that name; the message lists the registered ones.</exception>
    public TRegistration Get(string? name) =>
        TryGet(name, out var registration) ? registration : throw new GiGpoNetConfigurationException(UnknownNameMessage(name));

    /// <summary>The one-line message for an unknown name, listing the registered names and how to add one.</summary>
    public string UnknownNameMessage(string? name) =>
        string.IsNullOrWhiteSpace(name)
            ? $"No {Kind} is selected: set {SelectingKey} to one of: {string.Join(", ", Names)}."
            : $"'{name}' is not a registered {Kind}. Registered: {string.Join(", ", Names)}. Register your own with {RegistrationHint}.";

    /// <summary>Adds a registration; returns false when the same one is already there (registering twice is harmless).</summary>
    /// <exception cref="InvalidOperationException">The name is taken by another implementation type.</exception>
    public bool TryAdd(TRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        if (_byName.TryGetValue(registration.Name, out var existing))
        {
            if (existing.ImplementationType != registration.ImplementationType)
                throw new InvalidOperationException(
                    $"The {Kind} name '{registration.Name}' is already registered for {existing.ImplementationType.FullName}; choose another name for " +
                        $"{registration.ImplementationType.FullName}.");
            return false;
        }
        _byName.Add(registration.Name, registration);
        return true;
    }

    /// <summary>Checks a name for use as a key and a configuration section name, and normalizes it.</summary>
    public static string CheckedName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var key = Normalize(name);
        if (!key.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            throw new ArgumentException($"The name '{name}' may only contain letters, digits, '_', '-' and '.', since it is also a configuration section name.", nameof(name));
        return key;
    }

    /// <summary>The registry of type <typeparamref name="TRegistry"/> held by <paramref name="services"/>, added on first use.</summary>
    protected static TRegistry From<TRegistry>(IServiceCollection services) where TRegistry : ComponentRegistry<TRegistration>, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var descriptor in services)
            if (descriptor.ServiceType == typeof(TRegistry) && descriptor.ImplementationInstance is TRegistry existing)
                return existing;
        var registry = new TRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
