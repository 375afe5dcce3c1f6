using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GiGpoNet.Hosting.Training;

/// <summary>What a training checkpoint records besides the weights.</summary>
/// <param name="Iteration">The last finished iteration.</param>
/// <param name="EnvironmentSteps">Environment steps so far.</param>
/// <param name="WarmStartSuccess">The validation success after the warm start (NaN when there was none).</param>
/// <param name="Algorithm">The algorithm name.</param>
/// <param name="Environment">The environment name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="WallSeconds">Wall time spent on the run up to this checkpoint, over all its processes.</param>
public sealed record CheckpointState(int Iteration, long EnvironmentSteps, double WarmStartSuccess, string Algorithm, string Environment, long Seed,
    double WallSeconds = 0);

/// <summary>
/// A resumable training checkpoint: <c>checkpoints/iter-NNNNNN/</c> with the policy (Hugging Face safetensors and its tokenizer), the
/// reference policy, the critic and the optimizers' state (written by the learner), <c>state.json</c>, a copy of the effective configuration, and a manifest of
/// SHA-256 hashes. It is written into a temporary folder and renamed, so a crash or a kill during a save never leaves a broken
/// checkpoint; a failed save leaves the previous one in place.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Manifest = "manifest.json";
    private const string StateFile = "state.json";

    /// <summary>
    /// Writes a checkpoint of iteration <paramref name="state"/>.Iteration under <paramref name="runFolder"/>: <paramref name="saveLearner"/>
    /// writes the learner's files into the folder it is given (<see cref="Learning.ILearner.SaveState"/>), then the state, the
    /// configuration and the manifest are added.
    /// </summary>
    public static string Save(string runFolder, CheckpointState state, Action<string> saveLearner, string configuration)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(saveLearner);
        var checkpoints = Path.Combine(runFolder, "checkpoints");
        Directory.CreateDirectory(checkpoints);
        // A temporary folder left behind can only come from a save that was killed: it never became a checkpoint.
        foreach (var stale in Directory.EnumerateDirectories(checkpoints, ".tmp-*")) Directory.Delete(stale, recursive: true);
        var final = Path.Combine(checkpoints, $"iter-{state.Iteration:D6}");
        var temporary = Path.Combine(checkpoints, $".tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temporary);
            saveLearner(temporary);
            File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state with { WarmStartSuccess = double.IsFinite(state.WarmStartSuccess)
                ? state.WarmStartSuccess : -1 }));
            File.WriteAllText(Path.Combine(temporary, AgentTrainer.ConfigurationFileName), configuration);
            var hashes = new JsonObject();
            foreach (var file in Directory.EnumerateFiles(temporary, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                hashes[Path.GetRelativePath(temporary, file)] = Hash(file);
            File.WriteAllText(Path.Combine(temporary, Manifest), hashes.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true);
            Directory.Move(temporary, final);
            return final;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> complete checkpoints of a run folder (the run's frozen base stays).</summary>
    internal static void Prune(string runFolder, int keep)
    {
        var checkpoints = Path.Combine(runFolder, "checkpoints");
        if (!Directory.Exists(checkpoints)) return;
        var complete = Directory.EnumerateDirectories(checkpoints, "iter-*").Where(d => File.Exists(Path.Combine(d, Manifest))).Order(StringComparer.Ordinal).ToList();
        foreach (var old in complete.Take(Math.Max(0, complete.Count - keep))) Directory.Delete(old, recursive: true);
    }

    /// <summary>The newest complete checkpoint of a run folder, or <c>null</c>.</summary>
    public static string? Latest(string runFolder)
    {
        var checkpoints = Path.Combine(runFolder, "checkpoints");
        return Directory.Exists(checkpoints)
            ? Directory.EnumerateDirectories(checkpoints, "iter-*").Where(d => File.Exists(Path.Combine(d, Manifest))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
    }

    /// <summary>Reads and verifies a checkpoint's state.</summary>
    /// <exception cref="InvalidDataException">A file is missing or does not match its hash.</exception>
    public static CheckpointState Verify(string folder)
    {
        try
        {
            var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, Manifest)))!.AsObject();
            foreach (var (file, expected) in manifest)
            {
                var path = Path.Combine(folder, file);
                if (!File.Exists(path)) throw new InvalidDataException($"The checkpoint '{folder}' is incomplete: {file} is missing. Delete it to resume from an earlier one.");
                if (Hash(path) != expected!.GetValue<string>())
                    throw new InvalidDataException($"The checkpoint '{folder}' is corrupted: {file} does not match its hash. Delete it to resume from an earlier one.");
            }
            var state = JsonSerializer.Deserialize<CheckpointState>(File.ReadAllText(Path.Combine(folder, StateFile)))!;
            return state.WarmStartSuccess < 0 ? state with { WarmStartSuccess = double.NaN } : state;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new InvalidDataException($"The checkpoint '{folder}' is corrupted: its {Manifest} or {StateFile} is not what this version writes ({e.Message}). Delete it to " +
                $"resume from an earlier one.", e);
        }
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }
}
