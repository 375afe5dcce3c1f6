using GiGpoNet.Backend.Devices;
using TorchSharp;

namespace GiGpoNet.Backend;

/// <summary>The <c>Backend</c> section: where and how tensors are computed.</summary>
public sealed class BackendOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Backend";

    /// <summary><c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (CUDA when available). Default <c>auto</c>. CUDA needs the build made with
    /// <c>-p:TorchBackend=cuda</c>.</summary>
    public string Device { get; set; } = "auto";

    /// <summary>
    /// Dtype of the model's weights and computation: <c>float32</c>, <c>bfloat16</c> or <c>float16</c>. Default <c>float32</c>. In half
    /// precision (bfloat16 on GPUs is faster and halves the weights' memory) the optimizer keeps float32 master weights and float32
    /// moments for the parameters it trains, policy and critic alike; gradients are in the weights' dtype.
    /// </summary>
    [System.Text.Json.Serialization.JsonConverter(typeof(ModelDtypeJsonConverter))]
    public ModelDtype Dtype { get; set; } = ModelDtype.Float32;

    /// <summary>libtorch CPU threads; 0 uses every core. Default 0.</summary>
    public int Threads { get; set; }

    /// <summary>
    /// The instruction set of libtorch's CPU kernels: <c>Auto</c> (AVX2 where the processor has it, so that figures reproduce across
    /// processors), <c>Native</c> (libtorch's choice, fastest, processor-dependent), <c>Avx2</c>, <c>Avx512</c> or <c>Default</c>.
    /// An <c>ATEN_CPU_CAPABILITY</c> set in the environment wins. Default <c>Auto</c>.
    /// </summary>
    public CpuCapability CpuCapability { get; set; } = CpuCapability.Auto;

    /// <summary>
    /// A diagnostic: a background thread forces full garbage collections and runs finalizers without pause for the whole run, so that
    /// a TorchSharp object left unreferenced during a native call fails at once instead of rarely (see <see cref="Diagnostics.GcStress"/>).
    /// Several times slower. Default false.
    /// </summary>
    public bool GcStress { get; set; }

    /// <summary>
    /// What is wrong with these options, one line each: first whether libtorch loads at all (naming the package to add where it does not),
    /// then the device, the dtype and the thread count.
    /// </summary>
    public IEnumerable<string> Validate()
    {
        if (NativeRuntime.Problem is { } native)
        {
            yield return native;
            yield break;
        }
        if (Failure(() => ResolveDevice()) is { } device) yield return $"{SectionName}:{device}";
        if (Failure(() => ResolveDtype()) is { } dtype) yield return dtype;
        if (Threads < 0) yield return $"{SectionName}:Threads = {Threads}: write 0 for every core, or a positive number of threads.";
    }

    private static string? Failure(Action resolve)
    {
        try
        {
            resolve();
            return null;
        }
        catch (GiGpoNetConfigurationException e)
        {
            return e.Message;
        }
    }

    /// <summary>The parsed device (fails clearly when CUDA is asked for and unavailable).</summary>
    public torch.Device ResolveDevice() => TorchDevices.Parse(Device);

    /// <summary>The parsed dtype.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Not one of the supported dtypes (a value cast from a number).</exception>
    public torch.ScalarType ResolveDtype() => Dtype switch
    {
        ModelDtype.Float32 => torch.ScalarType.Float32,
        ModelDtype.Bfloat16 => torch.ScalarType.BFloat16,
        ModelDtype.Float16 => torch.ScalarType.Float16,
        _ => throw new GiGpoNetConfigurationException($"Backend:Dtype = '{Dtype}' is not one of float32, bfloat16, float16."),
    };

    /// <summary>
    /// Applies the process-wide settings (the CPU instruction set, the thread count and, when asked for, GC stress) once at start-up,
    /// before any tensor is computed.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">libtorch cannot load (the message names the package to add).</exception>
    public void ApplyProcessSettings()
    {
        CpuNumerics.Pin(CpuCapability);
        NativeRuntime.EnsureAvailable();
        torch.set_num_threads(Threads > 0 ? Threads : Environment.ProcessorCount);
        if (GcStress) Diagnostics.GcStress.StartForProcess();
    }
}
