using System.Diagnostics;
using System.Globalization;

namespace GiGpoNet.Benchmarks;

/// <summary>This process's resident memory from <c>/proc/self/status</c> (the runtime's figures elsewhere), in GB.</summary>
internal static class ProcessMemory
{
    /// <summary>The peak resident set (VmHWM).</summary>
    public static double PeakGb() => Read("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64 / 1e9;

    /// <summary>The resident set now (VmRSS).</summary>
    public static double CurrentGb() => Read("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64 / 1e9;

    private static double? Read(string key)
    {
        var line = File.Exists("/proc/self/status") ? File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal)) : null;
        return line is null ? null : double.Parse(line[key.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024 / 1e9;
    }
}
