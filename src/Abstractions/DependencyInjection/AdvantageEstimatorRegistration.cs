namespace GiGpoNet.Advantages;

/// <summary>One registered estimator: its name, implementation type, and options type with their configuration section.</summary>
/// <param name="Name">The lower-case name it is selected by.</param>
/// <param name="EstimatorType">The implementation type.</param>
/// <param name="OptionsType">The options type, or <c>null</c> when the estimator has none.</param>
/// <param name="ConfigurationSection">Where its options are bound from (<c>Algorithms:&lt;name&gt;</c>).</param>
public sealed record AdvantageEstimatorRegistration(string Name, Type EstimatorType, Type? OptionsType, string ConfigurationSection)
    : IComponentRegistration
{
    /// <inheritdoc />
    public Type ImplementationType => EstimatorType;
}
