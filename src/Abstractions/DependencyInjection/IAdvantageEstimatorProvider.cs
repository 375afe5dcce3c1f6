namespace GiGpoNet.Advantages;

/// <summary>
/// Resolves advantage estimators by name (case-insensitive). An unknown name throws a
/// <see cref="GiGpoNetConfigurationException"/> that lists the registered names.
/// </summary>
public interface IAdvantageEstimatorProvider
{
    /// <summary>The registered names, sorted.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>The estimator registered as <paramref name="name"/>, with its options from <c>Algorithms:&lt;name&gt;</c>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">No estimator is registered under that name.</exception>
    IAdvantageEstimator Get(string name);
}
