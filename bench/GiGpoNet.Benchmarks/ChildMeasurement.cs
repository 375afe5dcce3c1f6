using System.Diagnostics;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// Runs one measurement of this bench in a process of its own (a fresh process starts from an empty allocator and an empty device,
/// so its peak memory is the measurement's alone) and returns what it printed after <c>measured </c> on its last such line.
/// </summary>
internal static class ChildMeasurement
{
    public const string Prefix = "measured ";

    /// <param name="arguments">The bench's own arguments for the child (its command first).</param>
    /// <param name="what">What the child measures, for the error when it prints no figures.</param>
    public static string Run(IEnumerable<string> arguments, string what)
    {
        var self = Environment.ProcessPath!;
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(ChildMeasurement).Assembly.Location);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync(); // read beside stdout: a child that fills one pipe must not block on it
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = text.Split('\n').LastOrDefault(l => l.StartsWith(Prefix, StringComparison.Ordinal))
                   ?? throw new InvalidOperationException($"{what}: the child process printed no figures (exit {process.ExitCode}): {errors.Result}{text}");
        return line[Prefix.Length..];
    }
}
