using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Advantages;

/// <summary>The default <see cref="IAdvantageEstimatorProvider"/>: the registry for names, keyed services for instances.</summary>
internal sealed class AdvantageEstimatorProvider(IServiceProvider services, AdvantageEstimatorRegistry registry) : IAdvantageEstimatorProvider
{
    public IReadOnlyList<string> Names => registry.Names;

    public IAdvantageEstimator Get(string name) =>
        services.GetRequiredKeyedService<IAdvantageEstimator>(registry.Get(name).Name);
}
