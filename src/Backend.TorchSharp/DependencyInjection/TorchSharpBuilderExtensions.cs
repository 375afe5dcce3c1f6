using GiGpoNet.Backend;
using GiGpoNet.Backend.DependencyInjection;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Training;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Learning;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TorchSharp backend as the learner of a training run.</summary>
public static class TorchSharpBuilderExtensions
{
    /// <summary>
    /// Registers the TorchSharp learner (<see cref="ILearnerFactory"/>: a Qwen2-family policy, from scratch or a Hugging Face folder, with
    /// LoRA) and declares and binds its sections: <c>Policy</c>, <c>Update</c> and <c>Backend</c>, validated at start-up; and the policy
    /// loss <c>vanilla</c> (PPO-clip), which <c>Update:PolicyLoss</c> selects by default. A learner factory registered before it is kept.
    /// </summary>
    public static IGiGpoNetBuilder AddTorchSharpLearner(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddConfigurationSection<PolicyModelOptions>(PolicyModelOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PolicyModelOptions>, PolicyModelOptionsValidator>());
        builder.AddConfigurationSection<UpdateOptions>(UpdateOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<UpdateOptions>, UpdateOptionsValidator>());
        builder.AddConfigurationSection<BackendOptions>(BackendOptions.SectionName, o => o.Validate());
        builder.AddPolicyLoss<VanillaPolicyLoss>(VanillaPolicyLoss.Name);
        services.TryAddSingleton<ILearnerFactory>(sp => new TorchLearnerFactory(Options<BackendOptions>(sp), Options<PolicyModelOptions>(sp),
            Options<UpdateOptions>(sp), Options<RolloutOptions>(sp).MaxNewTokens, SelectedPolicyLoss(sp)));
        return builder;
    }

    /// <summary>
    /// Registers <typeparamref name="TLoss"/> as the policy loss <paramref name="name"/>, which <c>Update:PolicyLoss</c> then selects
    /// (verl's <c>register_policy_loss</c>). It is created once, through DI, so its constructor can take registered services and options.
    /// </summary>
    public static IGiGpoNetBuilder AddPolicyLoss<TLoss>(this IGiGpoNetBuilder builder, string name) where TLoss : class, IPolicyLoss
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = PolicyLossRegistry.CheckedName(name);
        if (PolicyLossRegistry.From(builder.Services).TryAdd(new PolicyLossRegistration(key, typeof(TLoss))))
            builder.Services.AddKeyedSingleton<IPolicyLoss>(key, (sp, _) => ActivatorUtilities.CreateInstance<TLoss>(sp));
        return builder;
    }

    /// <summary>The policy loss named by <c>Update:PolicyLoss</c>.</summary>
    private static IPolicyLoss SelectedPolicyLoss(IServiceProvider services) => services.GetRequiredKeyedService<IPolicyLoss>(
        services.GetRequiredService<PolicyLossRegistry>().Get(Options<UpdateOptions>(services).PolicyLoss).Name);

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
