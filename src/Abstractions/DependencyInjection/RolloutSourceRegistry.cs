using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Rollouts;

/// <summary>One registered rollout source.</summary>
/// <param name="Name">The lower-case name it is selected by.</param>
/// <param name="ImplementationType">The source type.</param>
public sealed record RolloutSourceRegistration(string Name, Type ImplementationType) : IComponentRegistration;

/// <summary>The names of all registered rollout sources, for <c>Training:RolloutSource</c>.</summary>
public sealed class RolloutSourceRegistry : ComponentRegistry<RolloutSourceRegistration>
{
    /// <summary>The built-in source: the policy acting in the configured environment.</summary>
    public const string Environment = "environment";

    /// <inheritdoc />
    protected override string Kind => "rollout source";

    /// <inheritdoc />
    protected override string SelectingKey => "Training:RolloutSource";

    /// <inheritdoc />
    protected override string RegistrationHint => "builder.AddRolloutSource<TSource>(\"name\")";

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static RolloutSourceRegistry From(IServiceCollection services) => From<RolloutSourceRegistry>(services);
}
