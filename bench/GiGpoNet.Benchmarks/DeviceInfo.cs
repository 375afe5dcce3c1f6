using System.Reflection;
using GiGpoNet.Backend;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- device-info [--device cuda]</c>: loads TorchSharp's native backend
/// and says what it found: the TorchSharp version, whether CUDA is available and how many devices, and whether a 256 × 256 matrix
/// product on the device equals the CPU's (1e-3). Exit 1, with TorchSharp's own account of what failed to load, when the backend does not load.
/// </summary>
public static class DeviceInfo
{
    public static int Run(TextWriter output, IReadOnlyList<string> args)
    {
        var name = args is ["--device", var d] ? d : "cpu";
        output.WriteLine($"TorchSharp {typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}");
        try
        {
            output.WriteLine($"CUDA available: {torch.cuda.is_available()}; CUDA devices: {(torch.cuda.is_available() ? torch.cuda.device_count() : 0)}");
            var device = new BackendOptions { Device = name }.ResolveDevice();
            using var scope = NewDisposeScope();
            manual_seed(1);
            var a = randn(256, 256);
            var b = randn(256, 256);
            var onCpu = a.matmul(b);
            var onDevice = a.to(device).matmul(b.to(device)).cpu();
            var difference = (onDevice - onCpu).abs().max().item<float>();
            output.WriteLine($"256 x 256 matmul on {device}: largest difference from the CPU's {difference:G3} ({(difference < 1e-3 ? "ok" : "TOO LARGE")})");
            return difference < 1e-3 ? 0 : 1;
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or GiGpoNetConfigurationException)
        {
            output.WriteLine($"TorchSharp's native backend did not load or has no such device: {e.InnerException?.Message ?? e.Message}");
            return 1;
        }
    }
}
