using GiGpoNet;
using GiGpoNet.Advantages;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers advantage estimators by name, so that configuration can select them.</summary>
public static class AdvantageEstimatorBuilderExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TEstimator"/> as <paramref name="name"/>, with options bound from
    /// <c>Algorithms:&lt;name&gt;</c> (unknown keys are errors) and validated at start-up. The estimator's constructor
    /// receives the options instance and any other registered service.
    /// </summary>
    /// <param name="builder">The builder from <c>AddGiGpoNet</c>.</param>
    /// <param name="name">The name configuration selects it by (<c>Training:Algorithm</c>); case-insensitive.</param>
    /// <param name="configure">Defaults applied before configuration is bound.</param>
    public static IGiGpoNetBuilder AddAdvantageEstimator<TEstimator, TOptions>(this IGiGpoNetBuilder builder, string name,
        Action<TOptions>? configure = null)
        where TEstimator : class, IAdvantageEstimator
        where TOptions : AdvantageEstimatorOptions, new()
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = AdvantageEstimatorRegistry.CheckedName(name);
        var sectionPath = $"{AdvantageEstimatorRegistry.AlgorithmsSection}:{key}";
        if (!AdvantageEstimatorRegistry.From(builder.Services).TryAdd(new AdvantageEstimatorRegistration(key, typeof(TEstimator), typeof(TOptions), sectionPath)))
            return builder;

        var options = builder.Services.AddOptions<TOptions>(key);
        if (configure is not null) options.Configure(configure);
        options.Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection(sectionPath), o));
        options.ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TOptions>>(new EstimatorOptionsValidator<TOptions>(key, sectionPath));

        // The bound options, also under their base type, so that a run can record them without knowing TOptions.
        builder.Services.AddKeyedSingleton<AdvantageEstimatorOptions>(key, (sp, _) => sp.GetRequiredService<IOptionsMonitor<TOptions>>().Get(key));
        builder.Services.AddKeyedSingleton<IAdvantageEstimator>(key, (sp, _) =>
            ActivatorUtilities.CreateInstance<TEstimator>(sp, sp.GetRequiredKeyedService<AdvantageEstimatorOptions>(key)));
        AddProvider(builder.Services);
        return builder;
    }

    /// <summary>Registers an estimator without options as <paramref name="name"/>.</summary>
    public static IGiGpoNetBuilder AddAdvantageEstimator<TEstimator>(this IGiGpoNetBuilder builder, string name)
        where TEstimator : class, IAdvantageEstimator
    {
        ArgumentNullException.ThrowIfNull(builder);
        var key = AdvantageEstimatorRegistry.CheckedName(name);
        var sectionPath = $"{AdvantageEstimatorRegistry.AlgorithmsSection}:{key}";
        if (!AdvantageEstimatorRegistry.From(builder.Services).TryAdd(new AdvantageEstimatorRegistration(key, typeof(TEstimator), null, sectionPath)))
            return builder;
        builder.Services.AddKeyedSingleton<IAdvantageEstimator>(key, (sp, _) => ActivatorUtilities.CreateInstance<TEstimator>(sp));
        AddProvider(builder.Services);
        return builder;
    }

    private static void AddProvider(IServiceCollection services) =>
        services.TryAddSingleton<IAdvantageEstimatorProvider, AdvantageEstimatorProvider>();
}
