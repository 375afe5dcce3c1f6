using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers policies by name, so that configuration (<c>Training:Policy</c>) and <c>gigpo eval --policy</c> can select them.</summary>
public static class PolicyBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TPolicy"/> (a scripted, expert or remote policy) under <paramref name="name"/>; it is created once,
    /// through DI, so its constructor can take registered services and options.
    /// </summary>
    public static IGiGpoNetBuilder AddPolicy<TPolicy>(this IGiGpoNetBuilder builder, string name) where TPolicy : class, IPolicy =>
        builder.AddPolicyProvider<FixedPolicyProvider<TPolicy>>(name, typeof(TPolicy));

    /// <summary>Registers a provider that chooses the policy per run (from the learner, say) under <paramref name="name"/>.</summary>
    public static IGiGpoNetBuilder AddPolicyProvider<TProvider>(this IGiGpoNetBuilder builder, string name) where TProvider : class, IPolicyProvider =>
        builder.AddPolicyProvider<TProvider>(name, typeof(TProvider));

    private static IGiGpoNetBuilder AddPolicyProvider<TProvider>(this IGiGpoNetBuilder builder, string name, Type implementation)
        where TProvider : class, IPolicyProvider
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = PolicyRegistry.CheckedName(name);
        if (PolicyRegistry.From(builder.Services).TryAdd(new PolicyRegistration(key, implementation)))
            builder.Services.AddKeyedSingleton<IPolicyProvider>(key, (sp, _) => ActivatorUtilities.CreateInstance<TProvider>(sp));
        return builder;
    }

    private sealed class FixedPolicyProvider<TPolicy>(IServiceProvider services) : IPolicyProvider where TPolicy : class, IPolicy
    {
        private readonly Lazy<TPolicy> _policy = new(() => ActivatorUtilities.CreateInstance<TPolicy>(services));

        public bool IsLearner => false;

        public IPolicy Get(ILearner? learner) => _policy.Value;
    }
}
