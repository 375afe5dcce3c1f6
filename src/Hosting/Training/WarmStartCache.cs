using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GiGpoNet.Hosting.Storage;
using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Warm-started policies kept for reuse (<c>WarmStart:CacheDirectory</c>): the cells of an ablation that differ only after the warm start
/// (the algorithm, ω, ...) train it once. An entry is keyed by a SHA-256 of everything the warm start depends on: the demonstrations'
/// text (so the environment, its options, the prompt and the seed), the policy's architecture, the warm-start settings, the evaluation
/// settings and the backend. It holds the policy and the warm start's metrics, and is written to a temporary folder and renamed.
/// Runs that need the same missing entry at the same time take turns (<see cref="TakeTurnAsync"/>): the first trains and stores it,
/// the others then load it.
/// </summary>
internal static class WarmStartCache
{
    private const string MetricsFile = "warm_start.json";

    /// <summary>The folder of an entry that holds its policy.</summary>
    public static string PolicyFolder(string entry) => Path.Combine(entry, "policy");

    public static string Key(IEnumerable<Demonstration> demonstrations, params object[] settings)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (prompt, response) in demonstrations)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(prompt));
            hash.AppendData([0]);
            hash.AppendData(Encoding.UTF8.GetBytes(response));
            hash.AppendData([1]);
        }
        foreach (var setting in settings) hash.AppendData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(setting, setting.GetType())));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }

    /// <summary>The turn to train the warm start of <paramref name="entry"/> if no other run holds it, else null; it lasts until disposed.</summary>
    public static IDisposable? TryTakeTurn(string entry) => ExclusiveFileLock.TryTake(entry + ".lock");

    /// <summary>Waits until no other run is training the warm start of <paramref name="entry"/>; the turn lasts until it is disposed.</summary>
    public static async Task<IDisposable> TakeTurnAsync(string entry, CancellationToken cancellationToken) =>
        await ExclusiveFileLock.TakeAsync(entry + ".lock", TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);

    /// <summary>The cached warm start's metrics, or null when the entry does not exist (or is unreadable, which is treated as a miss).</summary>
    public static Dictionary<string, double>? TryLoadMetrics(string entry)
    {
        var path = Path.Combine(entry, MetricsFile);
        if (!File.Exists(path) || !File.Exists(Path.Combine(PolicyFolder(entry), "model.safetensors"))) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, double>>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Stores a warm start; another run storing the same entry at the same time is harmless (the first rename wins). Returns a warning
    /// when it could not be stored (the run goes on), else null.
    /// </summary>
    public static string? Store(string entry, Action<string> savePolicy, IReadOnlyDictionary<string, double> metrics)
    {
        try
        {
            StagedFolder.Write(entry, temporary =>
            {
                savePolicy(PolicyFolder(temporary));
                File.WriteAllText(Path.Combine(temporary, MetricsFile), JsonSerializer.Serialize(metrics));
            }, replace: false);
            return null;
        }
        catch (IOException e)
        {
            return $"the warm start could not be cached in '{entry}' ({e.Message}); the run goes on without it.";
        }
    }
}
