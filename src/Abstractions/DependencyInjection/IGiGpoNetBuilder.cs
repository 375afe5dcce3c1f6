using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <c>services.AddGiGpoNet(configuration)</c>; algorithm packages and user code add estimators,
/// environments and policies to it with <c>AddXxx</c> extension methods.
/// </summary>
public interface IGiGpoNetBuilder
{
    /// <summary>The service collection being configured.</summary>
    IServiceCollection Services { get; }

    /// <summary>The configuration options are bound from (sections <c>Training</c>, <c>Algorithms:&lt;name&gt;</c>, ...).</summary>
    IConfiguration Configuration { get; }
}
