using GiGpoNet;
using GiGpoNet.Hosting.Plugins;
using GiGpoNet.Plugins;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Loads the plugins a configuration lists, as the <c>gigpo</c> CLI does.</summary>
public static class PluginBuilderExtensions
{
    /// <summary>The configuration array of plugin assembly paths: <c>--Plugins:0=path/to/My.dll</c>, or <c>"Plugins": [ ... ]</c> in appsettings.json.</summary>
    public const string SectionName = "Plugins";

    /// <summary>
    /// Loads every assembly listed under <see cref="SectionName"/> (paths relative to the working directory), each into its own load
    /// context, and lets its <see cref="IGiGpoNetPlugin"/> entry point register its estimators, environments, rollout sources or policies.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">A plugin is missing, is not a .NET assembly, has no entry point, or was built against an incompatible GiGPO.NET; the
    /// message names its path.</exception>
    public static IGiGpoNetBuilder AddPlugins(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var entry in builder.Configuration.GetSection(SectionName).GetChildren())
        {
            if (string.IsNullOrWhiteSpace(entry.Value))
                throw new GiGpoNetConfigurationException($"{SectionName}:{entry.Key} is empty: give the path of a plugin assembly (a .dll).");
            PluginLoader.Register(builder, entry.Value);
        }
        return builder;
    }
}
