using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Hosting.DependencyInjection;

/// <summary>The default <see cref="IGiGpoNetBuilder"/>.</summary>
internal sealed class GiGpoNetBuilder(IServiceCollection services, IConfiguration configuration) : IGiGpoNetBuilder
{
    public IServiceCollection Services { get; } = services;

    public IConfiguration Configuration { get; } = configuration;
}
