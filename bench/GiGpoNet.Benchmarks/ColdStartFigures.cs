using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- cold-start [--cli path/to/gigpo.dll] [--runs N]</c>: in a fresh
/// process, the first GiGPO call on the 51,200-row batch of <see cref="AdvantageBenchmarks"/> against the median of the 20 calls
/// after it (the warm figure). With <c>--cli</c>, the same batch is written as step rows and a one-shot <c>gigpo advantages</c> of that
/// build runs N times (default 5), each in a fresh process; its <c>estimate_ms</c> is compared with the warm figure.
/// </summary>
public static partial class ColdStartFigures
{
    public static void Run(TextWriter output, IReadOnlyList<string> args)
    {
        var (cli, runs) = ParseArguments(args);
        var rows = SyntheticRollouts.Rows(128, 8, 50, 30);
        var batch = RolloutBatch.Create(rows);
        var estimator = new GiGpoAdvantageEstimator(new GiGpoOptions());
        var clock = Stopwatch.StartNew();
        estimator.Estimate(batch);
        var first = clock.Elapsed.TotalMilliseconds;
        var warm = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            clock.Restart();
            estimator.Estimate(batch);
            warm.Add(clock.Elapsed.TotalMilliseconds);
        }
        var warmMedian = Median(warm);
        output.WriteLine($"GiGPO on 51,200 rows: first call {first:F2} ms, warm median {warmMedian:F2} ms ({first / warmMedian:F1}x)");
        if (cli is null) return;

        var folder = Directory.CreateTempSubdirectory("gigpo-cold-start-");
        try
        {
            var input = Path.Combine(folder.FullName, "steps.jsonl");
            WriteStepRows(rows, input);
            var oneShot = new List<double>();
            for (var i = 0; i < runs; i++) oneShot.Add(OneShotEstimateMilliseconds(cli, input, Path.Combine(folder.FullName, "out.jsonl")));
            var median = Median(oneShot);
            output.WriteLine($"gigpo advantages ({cli}), {runs} fresh processes: estimate_ms " +
                string.Join(", ", oneShot.Select(v => v.ToString("F1", CultureInfo.InvariantCulture))) +
                $"; median {median:F1} ms ({median / warmMedian:F1}x the warm median)");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (string? Cli, int Runs) ParseArguments(IReadOnlyList<string> args)
    {
        string? cli = null;
        var runs = 5;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--cli" when i + 1 < args.Count:
                    cli = Path.GetFullPath(args[++i]);
                    if (!File.Exists(cli)) throw new ArgumentException($"--cli: '{cli}' does not exist; give the path of a built gigpo.dll.");
                    break;
                case "--runs" when i + 1 < args.Count && int.TryParse(args[i + 1], out var n) && n > 0:
                    runs = n;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"cold-start: unknown or incomplete argument '{args[i]}'; use [--cli path/to/gigpo.dll] [--runs N].");
            }
        }
        return (cli, runs);
    }

    private static void WriteStepRows(IEnumerable<StepRow> rows, string path)
    {
        using var stream = File.Create(path);
        foreach (var row in rows)
        {
            using (var writer = new Utf8JsonWriter(stream))
            {
                writer.WriteStartObject();
                writer.WriteString("group", row.GroupId);
                writer.WriteString("traj", row.TrajectoryId);
                writer.WriteNumber("step", row.StepIndex);
                writer.WriteString("anchor", row.Anchor);
                writer.WriteNumber("reward", row.Reward);
                writer.WriteBoolean("action_valid", row.ActionValid);
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    private static double OneShotEstimateMilliseconds(string cli, string input, string outputPath)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { cli, "advantages", "--algorithm", "gigpo", "--input", input, "--output", outputPath }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = EstimateMilliseconds().Match(stderr.Result);
        if (process.ExitCode != 0 || !match.Success)
            throw new InvalidOperationException($"gigpo advantages exited with {process.ExitCode} and no estimate_ms: {stderr.Result}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    [GeneratedRegex(@"estimate_ms=([0-9.]+)")]
    private static partial Regex EstimateMilliseconds();
}
