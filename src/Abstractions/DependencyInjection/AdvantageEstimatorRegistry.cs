using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Advantages;

/// <summary>The names of all registered advantage estimators, for <c>Training:Algorithm</c>.</summary>
public sealed class AdvantageEstimatorRegistry : ComponentRegistry<AdvantageEstimatorRegistration>
{
    /// <summary>The configuration section under which each estimator's options live.</summary>
    public const string AlgorithmsSection = "Algorithms";

    /// <inheritdoc />
    protected override string Kind => "advantage estimator";

    /// <inheritdoc />
    protected override string SelectingKey => "Training:Algorithm";

    /// <inheritdoc />
    protected override string RegistrationHint => "builder.AddAdvantageEstimator<TEstimator, TOptions>(\"name\")";

    /// <summary>The registry held by <paramref name="services"/>, added on first use.</summary>
    public static AdvantageEstimatorRegistry From(IServiceCollection services) => From<AdvantageEstimatorRegistry>(services);
}
