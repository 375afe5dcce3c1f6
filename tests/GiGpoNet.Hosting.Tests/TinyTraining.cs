namespace GiGpoNet.Hosting.Tests;

/// <summary>The settings of the tiny training runs the CLI tests use: sokoban, a 1-layer 32-wide policy, two groups of two.</summary>
internal static class TinyTraining
{
    public static string[] Settings(string algorithm, string outputDirectory) =>
    [
        "train", $"--Training:Algorithm={algorithm}", "--Training:Environment=sokoban", "--Training:Iterations=2", "--Training:Groups=2",
        "--Training:GroupSize=2", "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={outputDirectory}",
        "--WarmStart:Episodes=2", "--WarmStart:Epochs=1", "--Rollout:MaxSteps=3", "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false",
        "--Policy:Layers=1", "--Policy:HiddenSize=32", "--Policy:IntermediateSize=64", "--Policy:Heads=2", "--Policy:KeyValueHeads=1",
        "--Update:MiniBatchSize=8", "--Update:MicroBatchSize=4", "--Update:LearningRate=0.001",
    ];

    /// <summary>A tiny GiGPO run in <paramref name="folder"/> that checkpoints every iteration and does not evaluate.</summary>
    public static string[] Checkpointed(string folder, int iterations) =>
    [
        .. Settings("gigpo", folder).Where(a => !a.StartsWith("--Training:Iterations", StringComparison.Ordinal)),
        $"--Training:Iterations={iterations}", "--Training:CheckpointInterval=1", "--Training:EvaluationInterval=0",
    ];

    /// <summary>Asserts that two run folders' metrics.csv have the same rows, to the bit, time columns aside.</summary>
    public static void AssertSameMetrics(string expectedRun, string actualRun)
    {
        var columns = GiGpoNet.Hosting.Training.RunRecorder.IterationColumns.Select((c, i) => (c, i))
            .Where(p => !p.c.StartsWith("time_", StringComparison.Ordinal) && p.c != "advantage_time_share").ToList();
        var expected = File.ReadAllLines(Path.Combine(expectedRun, "metrics.csv"));
        var actual = File.ReadAllLines(Path.Combine(actualRun, "metrics.csv"));
        Assert.That(actual, Has.Length.EqualTo(expected.Length), "one row per iteration, none lost or repeated");
        for (var row = 1; row < expected.Length; row++)
            foreach (var (column, index) in columns)
                Assert.That(actual[row].Split(',')[index], Is.EqualTo(expected[row].Split(',')[index]), $"metrics.csv row {row}, {column}");
    }
}
