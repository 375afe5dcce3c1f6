using System.Runtime.InteropServices;
using TorchSharp;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// The peak memory of one measured phase. On CUDA: the device's used memory (total − free from the CUDA runtime's
/// <c>cudaMemGetInfo</c>, the figure nvidia-smi shows), sampled every 5 ms on a background thread, above what was used when the meter
/// started (after the CUDA context exists); libtorch's caching allocator keeps what it reserved, so the sampled peak is the reserve.
/// On the CPU: the process's peak resident set. The PyTorch reference (eng/gpu/pytorch_reference.py) measures the same way.
/// </summary>
internal sealed class DeviceMemoryMeter : IDisposable
{
    private delegate int CudaMemGetInfo(out nuint free, out nuint total);

    private static readonly string[] CudaRuntimeNames = ["libcudart.so.13", "libcudart.so.12", "libcudart.so", "cudart64_13", "cudart64_12"];
    private readonly CudaMemGetInfo? _memGetInfo;
    private readonly double _baselineGb;
    private readonly Thread? _sampler;
    private volatile bool _stopped;
    private double _peakGb;

    public DeviceMemoryMeter(torch.Device device)
    {
        if (device.type != DeviceType.CUDA)
        {
            Method = "peak resident set of the process (VmHWM)";
            return;
        }
        _memGetInfo = Resolve(out var reason) ?? throw new InvalidOperationException($"Cannot measure GPU memory: {reason}");
        Method = "peak of total - free (cudaMemGetInfo, sampled every 5 ms) above the CUDA context";
        _baselineGb = UsedGb();
        _peakGb = _baselineGb;
        _sampler = new Thread(() =>
        {
            while (!_stopped)
            {
                _peakGb = Math.Max(_peakGb, UsedGb());
                Thread.Sleep(5);
            }
        }) { IsBackground = true, Name = "gpu-memory-meter" };
        _sampler.Start();
    }

    /// <summary>How the figure is measured, for the report.</summary>
    public string Method { get; }

    /// <summary>Stops sampling and returns the peak in GB.</summary>
    public double Stop()
    {
        if (_sampler is null) return ProcessMemory.PeakGb();
        _stopped = true;
        _sampler.Join();
        return Math.Max(_peakGb, UsedGb()) - _baselineGb;
    }

    public void Dispose()
    {
        _stopped = true;
        _sampler?.Join();
    }

    private double UsedGb()
    {
        var status = _memGetInfo!(out var free, out var total);
        if (status != 0) throw new InvalidOperationException($"cudaMemGetInfo returned error {status}.");
        return (total - free) / 1e9;
    }

    private static CudaMemGetInfo? Resolve(out string reason)
    {
        // libtorch_cuda has already loaded the CUDA runtime through its own search path; opening it by name returns that copy.
        foreach (var name in CudaRuntimeNames)
        {
            if (!NativeLibrary.TryLoad(name, out var handle)) continue;
            if (NativeLibrary.TryGetExport(handle, "cudaMemGetInfo", out var address))
            {
                reason = "";
                return Marshal.GetDelegateForFunctionPointer<CudaMemGetInfo>(address);
            }
        }
        reason = $"no CUDA runtime library ({string.Join(", ", CudaRuntimeNames)}) could be opened; add its folder to LD_LIBRARY_PATH.";
        return null;
    }
}
