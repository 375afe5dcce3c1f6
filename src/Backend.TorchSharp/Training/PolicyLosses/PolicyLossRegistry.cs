using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Backend.Training;

/// <summary>One registered policy loss.</summary>
/// <param name="Name">The lower-case name <c>Update:PolicyLoss</c> selects it by.</param>
/// <param name="ImplementationType">The loss type.</param>
public sealed record PolicyLossRegistration(string Name, Type ImplementationType) : IComponentRegistration;

/// <summary>The names of all registered policy losses, for <c>Update:PolicyLoss</c>.</summary>
public sealed class PolicyLossRegistry : ComponentRegistry<PolicyLossRegistration>
{
    /// <inheritdoc />
    protected override string Kind => "policy loss";

    /// <inheritdoc />
    protected override string SelectingKey => "Update:PolicyLoss";

    /// <inheritdoc />
    protected override string RegistrationHint => "builder.AddPolicyLoss<TLoss>(\"name\")";

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static PolicyLossRegistry From(IServiceCollection services) => From<PolicyLossRegistry>(services);
}
