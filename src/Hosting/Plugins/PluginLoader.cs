using System.Collections.Concurrent;
using System.Reflection;
using GiGpoNet.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Hosting.Plugins;

/// <summary>
/// Loads plugin assemblies, each into its own <see cref="PluginLoadContext"/>, and finds their <see cref="IGiGpoNetPlugin"/> entry points.
/// An assembly is loaded once per process (a grid builds the services of every cell from the same configuration).
/// </summary>
internal static class PluginLoader
{
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<Type>>> EntryPoints = new(StringComparer.Ordinal);

    /// <summary>Loads <paramref name="path"/> and calls every entry point's <see cref="IGiGpoNetPlugin.Register"/> on <paramref name="builder"/>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">The file is missing, is not a .NET assembly, has no entry point, or was built against an incompatible
    /// GiGPO.NET.</exception>
    public static void Register(IGiGpoNetBuilder builder, string path)
    {
        var full = Path.GetFullPath(path);
        var types = EntryPoints.GetOrAdd(full, p => new Lazy<IReadOnlyList<Type>>(() => Load(path, p))).Value;
        foreach (var type in types)
        {
            try
            {
                ((IGiGpoNetPlugin)Activator.CreateInstance(type)!).Register(builder);
            }
            catch (Exception e) when (e is MissingMethodException or MissingFieldException or TypeLoadException)
            {
                throw Error(path, $"it was built against an incompatible GiGPO.NET ({e.Message}): rebuild it against GiGpoNet.Abstractions {HostVersion.ToString(3)}", e);
            }
            catch (Exception e) when (e is TargetInvocationException or TypeInitializationException && e.InnerException is { } cause)
            {
                // Its constructor or static initializer threw: the reflection wrapper says nothing, the cause says what.
                while (cause is TargetInvocationException or TypeInitializationException && cause.InnerException is { } deeper) cause = deeper;
                throw Error(path, $"creating its {type.FullName} failed: {cause.GetType().Name}: {cause.Message}", cause);
            }
            catch (Exception e) when (e is not GiGpoNetConfigurationException)
            {
                throw Error(path, $"its {type.FullName}.Register failed: {e.Message}", e);
            }
        }
    }

    private static Version HostVersion => typeof(IGiGpoNetPlugin).Assembly.GetName().Version!;

    private static IReadOnlyList<Type> Load(string given, string path)
    {
        if (!File.Exists(path)) throw Error(given, "the file does not exist: build the plugin, or correct the path");
        Assembly assembly;
        try
        {
            assembly = new PluginLoadContext(path).LoadFromAssemblyPath(path);
        }
        catch (BadImageFormatException e)
        {
            throw Error(given, "it is not a .NET assembly: give the plugin's .dll from its build output", e);
        }
        var abstractions = assembly.GetReferencedAssemblies().FirstOrDefault(a => a.Name == typeof(IGiGpoNetPlugin).Assembly.GetName().Name);
        if (abstractions?.Version is { } built && PluginCompatibility.Problem(built, HostVersion) is { } problem) throw Error(given, problem);
        Type[] exported;
        try
        {
            exported = assembly.GetExportedTypes();
        }
        catch (Exception e) when (e is TypeLoadException or FileNotFoundException or FileLoadException)
        {
            throw Error(given, $"its types cannot be loaded ({e.Message}): rebuild it against GiGpoNet.Abstractions {HostVersion.ToString(3)}", e);
        }
        var entryPoints = exported
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IGiGpoNetPlugin).IsAssignableFrom(t) && t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        if (entryPoints.Count == 0)
            throw Error(given, $"it has no entry point: add a public class with a parameterless constructor that implements {typeof(IGiGpoNetPlugin).FullName}");
        return entryPoints;
    }

    private static GiGpoNetConfigurationException Error(string path, string problem, Exception? inner = null)
    {
        var message = $"The plugin '{path}' cannot be loaded: {problem}.";
        return inner is null ? new GiGpoNetConfigurationException(message) : new GiGpoNetConfigurationException(message, inner);
    }
}
