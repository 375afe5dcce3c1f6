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
    /// LoRA) and declares and binds its sections: <c>Policy</c>, <c>Update</c> and <c>Backend</c>, validated at start-up. A learner
    /// factory registered before it is kept.
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
        services.TryAddSingleton<ILearnerFactory>(sp => new TorchLearnerFactory(Options<BackendOptions>(sp), Options<PolicyModelOptions>(sp),
            Options<UpdateOptions>(sp), Options<RolloutOptions>(sp).MaxNewTokens));
        return builder;
    }

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
