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
}
