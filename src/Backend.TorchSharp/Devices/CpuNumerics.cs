using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace GiGpoNet.Backend.Devices;

/// <summary>
/// Pins libtorch's CPU kernels and MKL to one instruction set (<see cref="CpuCapability"/>) through <c>ATEN_CPU_CAPABILITY</c> and
/// <c>MKL_CBWR</c>, which libtorch reads once, at its first CPU kernel: call <see cref="Pin"/> before any tensor is computed. A value
/// already set in the environment is kept (the user's choice wins). Linux and macOS: .NET does not pass its own environment changes
/// to native code, so the variables are set with libc's <c>setenv</c>.
/// </summary>
internal static class CpuNumerics
{
    private const string AtenVariable = "ATEN_CPU_CAPABILITY";
    private const string MklVariable = "MKL_CBWR";

    /// <summary>Pins <paramref name="capability"/>, unless the environment already says which set to use.</summary>
    public static void Pin(CpuCapability capability)
    {
        var (aten, mkl) = capability switch
        {
            CpuCapability.Auto when Avx2.IsSupported && Fma.IsSupported => ("avx2", "AVX2"),
            CpuCapability.Avx2 => ("avx2", "AVX2"),
            CpuCapability.Avx512 => ("avx512", "AVX512"),
            CpuCapability.Default => ("default", "COMPATIBLE"),
            _ => ((string?)null, (string?)null),
        };
        if (Environment.GetEnvironmentVariable(AtenVariable) is { Length: > 0 } || aten is null || !(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
            return;
        SetNative(AtenVariable, aten);
        if (Environment.GetEnvironmentVariable(MklVariable) is not { Length: > 0 }) SetNative(MklVariable, mkl!);
    }

    private static void SetNative(string name, string value)
    {
        if (setenv(name, value, 1) != 0) throw new InvalidOperationException($"setenv({name}) failed with errno {Marshal.GetLastPInvokeError()}.");
        Environment.SetEnvironmentVariable(name, value); // child processes (ablation cells) inherit it too
    }

    [DllImport("libc", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false)]
    private static extern int setenv(string name, string value, int overwrite);
}
