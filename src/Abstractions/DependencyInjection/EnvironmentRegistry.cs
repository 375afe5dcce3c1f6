using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Environments;

/// <summary>One registered environment.</summary>
/// <param name="Name">The lower-case name it is selected by.</param>
/// <param name="ImplementationType">The environment type.</param>
/// <param name="Description">Its description.</param>
public sealed record EnvironmentRegistration(string Name, Type ImplementationType, EnvironmentDescription Description) : IComponentRegistration
{
    /// <summary>The options bound from <c>Environments:&lt;name&gt;</c>, or null for an environment that takes no settings there.</summary>
    public Type? OptionsType { get; init; }
}

/// <summary>The names of all registered environments, for <c>Training:Environment</c>.</summary>
public sealed class EnvironmentRegistry : ComponentRegistry<EnvironmentRegistration>
{
    /// <summary>The configuration section whose children configure environments by name (<c>Environments:household:RoomSize</c>).</summary>
    public const string EnvironmentsSection = "Environments";

    /// <inheritdoc />
    protected override string Kind => "environment";

    /// <inheritdoc />
    protected override string SelectingKey => "Training:Environment";

    /// <inheritdoc />
    protected override string RegistrationHint => "builder.AddEnvironment<TEnvironment>(description)";

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static EnvironmentRegistry From(IServiceCollection services) => From<EnvironmentRegistry>(services);
}

/// <summary>Creates environments of one registered type through DI.</summary>
internal sealed class ActivatorEnvironmentFactory<TEnvironment>(IServiceProvider services, EnvironmentDescription description) : IEnvironmentFactory
    where TEnvironment : IEnvironment
{
    public EnvironmentDescription Description { get; } = description;

    public IEnvironment Create() => ActivatorUtilities.CreateInstance<TEnvironment>(services);
}
