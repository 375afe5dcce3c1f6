using System.Reflection;
using System.Runtime.Loader;

namespace GiGpoNet.Hosting.Plugins;

/// <summary>
/// The load context of one plugin: its own dependencies come from its folder (its <c>.deps.json</c>), while GiGPO.NET, the
/// Microsoft.Extensions abstractions and TorchSharp are shared with the host, so that the types the plugin registers are the host's.
/// </summary>
internal sealed class PluginLoadContext(string pluginPath) : AssemblyLoadContext($"GiGPO.NET plugin {Path.GetFileName(pluginPath)}")
{
    private readonly AssemblyDependencyResolver _resolver = new(pluginPath);

    /// <summary>Assemblies that must be the host's own copy: a second copy would make a second, incompatible set of types.</summary>
    public static bool Shared(AssemblyName name) => name.Name is { } simple
        && (simple.StartsWith("GiGpoNet.", StringComparison.Ordinal) || simple.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
            || simple.StartsWith("TorchSharp", StringComparison.Ordinal) || simple.StartsWith("Microsoft.ML", StringComparison.Ordinal));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (Shared(assemblyName))
        {
            try
            {
                return Default.LoadFromAssemblyName(assemblyName);
            }
            catch (FileNotFoundException)
            {
                // Not part of the host (a package the host does not use): the plugin's own copy below.
            }
        }
        return _resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;
}
