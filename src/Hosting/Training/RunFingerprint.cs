using System.Text.Json.Nodes;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The settings of a run's effective configuration (<see cref="AgentTrainer.ConfigurationFileName"/>) that decide what it computes, as
/// flat <c>Section:Key</c> paths, comparable across versions of the file: a setting introduced later counts as its default where an
/// older file lacks it, and values that earlier versions derived and wrote beside their settings are left out. What else is left out
/// depends on the question (<see cref="Purpose"/>).
/// </summary>
internal sealed class RunFingerprint
{
    /// <summary>The version of these rules; raise it when a setting is added below.</summary>
    public const int Version = 2;

    /// <summary>Why two runs are compared.</summary>
    public enum Purpose
    {
        /// <summary>
        /// A run resumed from a checkpoint: what extends or observes it may change (its length, budget, evaluation and checkpoint
        /// intervals, how many checkpoints it keeps, threads, where it writes and caches), nothing else.
        /// </summary>
        Resume,

        /// <summary>
        /// A finished run reused as an ablation cell: where it wrote, where it cached and how it computed the same result (threads,
        /// length-ordered micro-batches) may differ; its length and everything else must be the cell's.
        /// </summary>
        Reuse,
    }

    private static readonly string[] Location = ["Training:OutputDirectory", "Training:Resume", "WarmStart:CacheDirectory", "Backend:GcStress", "Plugins"];

    private static readonly string[] Extension =
        ["Training:Iterations", "Training:EnvironmentStepBudget", "Training:EvaluationInterval", "Training:CheckpointInterval", "Training:KeepCheckpoints", "Backend:Threads"];

    private static readonly string[] SameResult = ["Backend:Threads", "Update:LengthBucketing"];

    /// <summary>Settings added after the first configuration files, with the value runs written before them had in effect.</summary>
    private static readonly (string Path, JsonNode? Default)[] Introduced =
    [
        ("Policy:TieWordEmbeddings", false), ("Policy:SpacesApart", false), ("Policy:ComposeSpacedWords", false), ("Policy:NumberTokens", false),
        ("Training:KeepCheckpoints", 0), ("WarmStart:Enabled", null), ("Update:PolicyLoss", "vanilla"),
    ];

    /// <summary>Values earlier versions derived from settings and wrote beside them (<c>*</c>: any name).</summary>
    private static readonly string[] Derived =
        ["Policy:Lora:Enabled", "Policy:Lora:Targets", "Algorithms:*:EffectiveEpisodeMode", "Algorithms:*:EffectiveStepMode"];

    /// <summary>How a run reaches its remote environment and generating server (<c>*</c>: any name): where and how patiently, not what they compute.</summary>
    private static readonly string[] Connection =
    [
        "RemoteEnvironments:*:BaseAddress", "RemoteEnvironments:*:Retries", "RemoteEnvironments:*:AttemptTimeout", "RemoteEnvironments:*:RetryDelay",
        "Policies:*:BaseAddress", "Policies:*:MaxConcurrency", "Policies:*:TimeoutSeconds", "Policies:*:Retries", "Policies:*:RetryDelayMilliseconds",
        "Policies:*:SyncDirectory",
    ];

    private readonly SortedDictionary<string, string> _settings;

    private RunFingerprint(SortedDictionary<string, string> settings) => _settings = settings;

    /// <summary>The fingerprint of an effective configuration (JSON text) for <paramref name="purpose"/>.</summary>
    /// <exception cref="InvalidDataException">The text is not a JSON object.</exception>
    public static RunFingerprint Of(string configuration, Purpose purpose)
    {
        JsonObject document;
        try
        {
            document = JsonNode.Parse(configuration) as JsonObject ?? throw new InvalidDataException("An effective configuration must be a JSON object.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"An effective configuration is not valid JSON: {e.Message}", e);
        }
        var settings = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Flatten(document, "", settings);
        foreach (var (path, value) in Introduced) settings.TryAdd(path, value?.ToJsonString() ?? "null");
        var ignored = purpose == Purpose.Resume ? Location.Concat(Extension) : Location.Concat(SameResult);
        foreach (var path in ignored) settings.Remove(path);
        foreach (var key in settings.Keys.Where(k => Derived.Concat(Connection).Any(d => Matches(d, k))).ToList()) settings.Remove(key);
        return new RunFingerprint(settings);
    }

    private static void Flatten(JsonNode? node, string prefix, IDictionary<string, string> settings)
    {
        if (node is JsonObject section && section.Count > 0)
            foreach (var (key, child) in section) Flatten(child, prefix.Length == 0 ? key : $"{prefix}:{key}", settings);
        else settings[prefix] = node?.ToJsonString() ?? "null";
    }

    private static bool Matches(string pattern, string path)
    {
        var (parts, keys) = (pattern.Split(':'), path.Split(':'));
        return parts.Length == keys.Length && parts.Zip(keys).All(p => p.First == "*" || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether both describe the same computation.</summary>
    public bool SameAs(RunFingerprint other) => Differences(other).Count == 0;

    /// <summary>The settings that differ, each as <c>Section:Key = this value, other value</c>.</summary>
    public IReadOnlyList<(string Key, string? Mine, string? Theirs)> Differences(RunFingerprint other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return [.. _settings.Keys.Union(other._settings.Keys, StringComparer.OrdinalIgnoreCase).Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(k => (Key: k, Mine: _settings.GetValueOrDefault(k), Theirs: other._settings.GetValueOrDefault(k)))
            .Where(d => d.Mine != d.Theirs).OrderBy(d => d.Key, StringComparer.OrdinalIgnoreCase)];
    }
}
