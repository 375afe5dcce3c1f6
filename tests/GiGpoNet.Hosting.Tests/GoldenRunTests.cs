using System.Text.Json;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Golden runs: a small fixed run of every algorithm on household (warm start of 16 episodes, two iterations, one libtorch thread)
/// gives the metrics recorded in Golden/&lt;processor vendor&gt;/ to the bit, time columns aside; a change that moves a metric fails here.
/// MKL computes libtorch's updates with other roundings on another vendor's processors even with its instruction set pinned
/// (<c>MKL_CBWR</c>), so each vendor has its own files and a vendor without them is reported inconclusive. Record them (only for a
/// deliberate change of behaviour, saying why, or for a new vendor) with <c>GIGPO_RECORD_GOLDEN=1</c>.
/// </summary>
[Category("Slow")]
public sealed class GoldenRunTests : CliTestBase
{
    private static readonly string[] Settings =
    [
        "--Training:Environment=household",
        "--Training:Iterations=2",
        "--Training:Groups=3",
        "--Training:GroupSize=4",
        "--Training:EvaluationTasks=4",
        "--Training:EvaluationInterval=2",
        "--Training:Seed=1",
        "--Environments:household:RoomSize=Small",
        "--WarmStart:Episodes=16",
        "--WarmStart:Epochs=3",
        "--WarmStart:ExplorationRate=0.2",
        "--Rollout:MaxSteps=5",
        "--Rollout:MaxNewTokens=8",
        "--Rollout:RequireThinkTags=false",
        "--Rollout:ConstrainToAdmissibleActions=false",
        "--Rollout:ShowAdmissibleActions=true",
        "--Policy:Layers=1",
        "--Policy:HiddenSize=32",
        "--Policy:IntermediateSize=64",
        "--Policy:Heads=2",
        "--Policy:KeyValueHeads=1",
        "--Policy:VocabularyWords=600",
        "--Update:MiniBatchSize=8",
        "--Update:MicroBatchSize=4",
        "--Update:LearningRate=0.001",
        "--Update:UseKlLoss=true",
        "--Update:KlLossCoef=0.01",
        "--Backend:Threads=1",
        "--Policy:MaxPromptTokens=1024",
        "--Update:EntropyCoeff=0.001",
        "--Rollout:HistoryLength=1",
        "--Algorithms:gigpo:Mode=mean_std_norm",
        "--Algorithms:gigpo:Gamma=0.95",
        "--Backend:Device=auto",
    ];

    [TestCase("gigpo")]
    [TestCase("grpo")]
    [TestCase("rloo")]
    [TestCase("reinforce_plus_plus")]
    [TestCase("reinforce_plus_plus_baseline")]
    [TestCase("ppo")]
    public void A_small_fixed_run_gives_the_golden_metrics_to_the_bit(string algorithm)
    {
        var run = Path.Combine(Folder, algorithm);
        var (code, stdout, stderr) = Run(["train", $"--Training:Algorithm={algorithm}", .. Settings, $"--Training:OutputDirectory={run}"]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        AssertMatchesGolden(run, algorithm);
    }

    /// <summary>
    /// The main job's own configuration (the repository's appsettings.json) with a warm start of 24 episodes and one iteration: the
    /// check that would have caught a change that moves the main job's figures (SFT losses, the first rollout and update).
    /// </summary>
    [Test]
    public void The_main_jobs_configuration_gives_its_golden_first_iteration()
    {
        var root = RepositoryFiles.Root;
        var run = Path.Combine(Folder, "main-job");
        var (code, stdout, stderr) = Run("train", "--settings", Path.Combine(root, "appsettings.json"), "--WarmStart:Episodes=24", "--WarmStart:Epochs=1",
            "--Training:Iterations=1", "--Training:EvaluationTasks=8", "--Training:EvaluationInterval=1", "--Training:CheckpointInterval=0",
            "--Backend:Threads=1", $"--Training:OutputDirectory={run}");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        AssertMatchesGolden(run, "main-job");
    }

    /// <summary>The processor vendor (<c>vendor_id</c> of /proc/cpuinfo: GenuineIntel, AuthenticAMD), or "unknown".</summary>
    private static string Vendor() =>
        File.Exists("/proc/cpuinfo") && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("vendor_id", StringComparison.Ordinal)) is { } line
            ? line[(line.IndexOf(':') + 1)..].Trim()
            : "unknown";

    /// <summary>Whether a metric measures time (or memory), which no run repeats: left out of the golden files.</summary>
    private static bool Timing(string key) => key.StartsWith("time", StringComparison.Ordinal) || key.Contains("_time", StringComparison.Ordinal)
                                              || key is "wall_seconds" or "peak_memory_mb";

    /// <summary>Writes a run's metrics.csv and metrics.jsonl without their timings as <paramref name="name"/>.csv and .jsonl.</summary>
    private static void Record(string run, string target, string name)
    {
        Directory.CreateDirectory(target);
        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Select(l => l.Split(',')).ToList();
        var kept = Enumerable.Range(0, rows[0].Length).Where(c => !Timing(rows[0][c])).ToList();
        File.WriteAllLines(Path.Combine(target, name + ".csv"), rows.Select(r => string.Join(',', kept.Select(c => r[c]))));
        File.WriteAllLines(Path.Combine(target, name + ".jsonl"), File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(line =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            foreach (var key in node.Select(p => p.Key).Where(Timing).ToList()) node.Remove(key);
            return node.ToJsonString();
        }));
    }

    private static void AssertMatchesGolden(string run, string name)
    {
        var vendor = Vendor();
        if (Environment.GetEnvironmentVariable("GIGPO_RECORD_GOLDEN") == "1")
        {
            Record(run, Path.Combine(RepositoryFiles.Root, "tests", "GiGpoNet.Hosting.Tests", "Golden", vendor), name);
            Assert.Pass($"recorded {name} for {vendor}");
        }
        var golden = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden", vendor);
        if (!File.Exists(Path.Combine(golden, name + ".csv")))
            Assert.Inconclusive($"No golden metrics of {name} are recorded for {vendor} processors (Golden/ has {string.Join(", ", Directory.GetDirectories(
                Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden")).Select(Path.GetFileName))}); record them with GIGPO_RECORD_GOLDEN=1.");
        var expectedRows = File.ReadAllLines(Path.Combine(golden, name + ".csv"));
        var actualRows = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var header = actualRows[0].Split(',');
        var expectedHeader = expectedRows[0].Split(',');
        Assert.That(actualRows, Has.Length.EqualTo(expectedRows.Length), "iterations recorded");
        for (var row = 1; row < expectedRows.Length; row++)
        {
            var actual = actualRows[row].Split(',');
            var expected = expectedRows[row].Split(',');
            for (var column = 0; column < expectedHeader.Length; column++)
                Assert.That(actual[Array.IndexOf(header, expectedHeader[column])], Is.EqualTo(expected[column]),
                    $"metrics.csv row {row}, {expectedHeader[column]}");
        }

        var expectedEvents = File.ReadAllLines(Path.Combine(golden, name + ".jsonl"));
        var actualEvents = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
        Assert.That(actualEvents, Has.Length.EqualTo(expectedEvents.Length), "events recorded");
        for (var i = 0; i < expectedEvents.Length; i++)
        {
            using var expected = JsonDocument.Parse(expectedEvents[i]);
            using var actual = JsonDocument.Parse(actualEvents[i]);
            foreach (var property in expected.RootElement.EnumerateObject())
            {
                Assert.That(actual.RootElement.TryGetProperty(property.Name, out var value), Is.True, $"event {i} has {property.Name}");
                var where = $"event {i} ({expected.RootElement.GetProperty("event").GetString()}), {property.Name}";
                if (property.Value.ValueKind == JsonValueKind.Number)
                    Assert.That(value.GetDouble(), Is.EqualTo(property.Value.GetDouble()), where); // exact: both parse to the same double
                else
                    Assert.That(value.ToString(), Is.EqualTo(property.Value.ToString()), where);
            }
        }
    }
}
