using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Plugins;

/// <summary>
/// The entry point of a plugin assembly for the <c>gigpo</c> CLI (<c>--Plugins:0=path/to/My.dll</c>): one public class with a
/// parameterless constructor that implements this, and registers the plugin's estimators, environments, rollout sources or policies
/// on the builder with the same <c>AddXxx</c> calls a host written in code uses.
/// </summary>
public interface IGiGpoNetPlugin
{
    /// <summary>Registers the plugin's components.</summary>
    void Register(IGiGpoNetBuilder builder);
}
