using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Policies;

/// <summary>One registered policy.</summary>
/// <param name="Name">The lower-case name it is selected by.</param>
/// <param name="ImplementationType">The policy (or provider) type.</param>
public sealed record PolicyRegistration(string Name, Type ImplementationType) : IComponentRegistration;

/// <summary>The names of all registered policies, for <c>Training:Policy</c>.</summary>
public sealed class PolicyRegistry : ComponentRegistry<PolicyRegistration>
{
    /// <summary>The built-in policy: the learner's current weights.</summary>
    public const string Learner = "learner";

    /// <inheritdoc />
    protected override string Kind => "policy";

    /// <inheritdoc />
    protected override string SelectingKey => "Training:Policy";

    /// <inheritdoc />
    protected override string RegistrationHint => "builder.AddPolicy<TPolicy>(\"name\")";

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static PolicyRegistry From(IServiceCollection services) => From<PolicyRegistry>(services);
}
