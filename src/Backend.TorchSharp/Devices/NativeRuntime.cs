using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace GiGpoNet.Backend.Devices;

/// <summary>
/// Whether TorchSharp's native runtime (libtorch and its glue, LibTorchSharp) loads in this process; where it does not, one line that
/// names the package to add, or the system library that is too old. Checked at start-up, before anything is written.
/// </summary>
internal static class NativeRuntime
{
    private static readonly Lazy<string?> Found = new(Check, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>What stops libtorch from loading, in one line; null where it loads.</summary>
    public static string? Problem => Found.Value;

    /// <summary>Throws where libtorch cannot load.</summary>
    /// <exception cref="GiGpoNetConfigurationException">The native runtime is missing or cannot be loaded.</exception>
    public static void EnsureAvailable()
    {
        if (Problem is { } problem) throw new GiGpoNetConfigurationException(problem);
    }

    private static string? Check()
    {
        // TorchSharp writes a page of probing trace to the console when it fails; the one line below says what matters.
        var console = Console.Out;
        try
        {
            Console.SetOut(TextWriter.Null);
            if (torch.TryInitializeDeviceType(DeviceType.CPU)) return null;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or EntryPointNotFoundException)
        {
        }
        finally
        {
            Console.SetOut(console);
        }
        return Explain();
    }

    private static string Explain()
    {
        var managed = typeof(torch).Assembly;
        var torchSharp = Metadata("TorchSharpVersion") ?? managed.GetName().Version?.ToString(3) ?? "";
        var libtorch = Metadata("LibTorchVersion") ?? "";
        var reason = GlueLoadFailure(managed);
        if (reason is not null && reason.Contains("GLIBCXX_", StringComparison.Ordinal))
            return $"libtorch cannot load: {LineWith(reason, "GLIBCXX_")}. TorchSharp's libLibTorchSharp.so declares a need for a newer libstdc++ than this " +
                   "system's, for a symbol it never calls: rebuild the application with the GiGpoNet.Backend.TorchSharp package referenced (its " +
                   "build step marks that need weak where the system library lacks it), or install libstdc++ from GCC 13 or later.";
        return $"TorchSharp's native runtime (libtorch) is not part of this application: add one package reference, libtorch-cpu-linux-x64 " +
               $"{libtorch} (CPU, Linux), TorchSharp-cpu {torchSharp} (CPU: Linux, Windows, macOS), TorchSharp-cuda-linux {torchSharp} or " +
               $"TorchSharp-cuda-windows {torchSharp} (NVIDIA GPUs), or point LD_LIBRARY_PATH at a libtorch {libtorch} and its LibTorchSharp.";
    }

    /// <summary>Why the glue library next to TorchSharp does not load (the loader's words), or null where none is there.</summary>
    private static string? GlueLoadFailure(Assembly managed)
    {
        var name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        var folder = Path.GetDirectoryName(managed.Location) ?? AppContext.BaseDirectory;
        var candidates = new[] { Path.Combine(folder, name), Path.Combine(folder, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", name) };
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null) return null;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
    }

    private static string? Metadata(string key) => typeof(NativeRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == key)?.Value is { Length: > 0 } value ? value : null;

    private static string LineWith(string text, string part) =>
        text.Split('\n').First(l => l.Contains(part, StringComparison.Ordinal)).Trim().TrimEnd('.');
}
