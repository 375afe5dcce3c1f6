using System.Text.Json;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Golden runs: a small fixed run of every algorithm on household (warm start of 16 episodes, two iterations, one libtorch thread)
/// gives the metrics recorded in Golden/ to the bit, time columns aside. The files were written by the trainer before its
/// refactorings; a change that moves a metric fails here. Regenerate them only for a deliberate change of behaviour, and say why.
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

    private static void AssertMatchesGolden(string run, string name)
    {
        var golden = Path.Combine(TestContext.CurrentContext.TestDirectory, "Golden");
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
