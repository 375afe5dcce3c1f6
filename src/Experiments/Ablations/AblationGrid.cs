using System.Globalization;
using System.Text;
using System.Text.Json;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>One value of an axis: a label for tables and folder names, and the configuration keys it sets.</summary>
/// <param name="Label">The label (for example <c>GiGPO w/ std</c>, or the value itself).</param>
/// <param name="Settings">Configuration keys (<c>Section:Key</c>) and the values this level gives them.</param>
public sealed record AblationLevel(string Label, IReadOnlyDictionary<string, string> Settings);

/// <summary>An axis of a grid: what is varied, and its levels.</summary>
/// <param name="Name">The axis's name (a table column).</param>
/// <param name="Levels">The values it takes.</param>
public sealed record AblationAxis(string Name, IReadOnlyList<AblationLevel> Levels);

/// <summary>
/// An ablation study: a base configuration, axes of configuration values to vary, and the seeds; every combination of one level
/// per axis and one seed is a cell, trained in its own run folder. Read from a JSON grid file:
/// <code>
/// {
///   "name": "omega-sweep",
///   "settings": "../../appsettings.json",            // optional, relative to the grid file; else built-in defaults
///   "plugins": ["../CustomEstimator/bin/Debug/net10.0/CustomEstimator.dll"],  // optional, relative to the grid file
///   "base": { "Training:Iterations": 12 },          // keys every cell sets
///   "axes": [
///     { "name": "omega", "key": "Algorithms:gigpo:StepAdvantageWeight", "values": [0, 0.4, 1.0] },
///     { "name": "algorithm", "values": [
///         { "label": "GiGPO w/ std", "set": { "Training:Algorithm": "gigpo", "Algorithms:gigpo:Mode": "mean_std_norm" } },
///         { "label": "GRPO", "set": { "Training:Algorithm": "grpo" } } ] }
///   ],
///   "seeds": [1, 2, 3],
///   "maxParallelRuns": 1
/// }
/// </code>
/// </summary>
public sealed record AblationGrid
{
    /// <summary>The study's name (the report's title).</summary>
    public required string Name { get; init; }

    /// <summary>The full path of the base settings file every cell reads, or null for the built-in defaults.</summary>
    public string? SettingsFile { get; init; }

    /// <summary>Keys every cell sets, over the settings file.</summary>
    public required IReadOnlyDictionary<string, string> Base { get; init; }

    /// <summary>The axes, in table-column order.</summary>
    public required IReadOnlyList<AblationAxis> Axes { get; init; }

    /// <summary>The seeds (<c>Training:Seed</c>) every combination runs with.</summary>
    public required IReadOnlyList<long> Seeds { get; init; }

    /// <summary>How many cells train at once. Default 1.</summary>
    public int MaxParallelRuns { get; init; } = 1;

    /// <summary>
    /// Attempts per cell when libtorch ends its training (<see cref="AblationAttempt.Resumable"/>): each further attempt resumes
    /// from the cell's last checkpoint. Default 3 (two automatic resumes: under load, two failures in one cell were seen); 1 reports the first failure. Other failures are never
    /// retried automatically.
    /// </summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Every cell: the levels' product, each with every seed, in a stable order.</summary>
    public IReadOnlyList<AblationCell> Cells()
    {
        IEnumerable<IReadOnlyList<AblationLevel>> combinations = [[]];
        foreach (var axis in Axes)
            combinations = combinations.SelectMany(c => axis.Levels.Select(l => (IReadOnlyList<AblationLevel>)[.. c, l])).ToList();
        var cells = new List<AblationCell>();
        foreach (var levels in combinations)
            foreach (var seed in Seeds)
            {
                var settings = new Dictionary<string, string>(Base, StringComparer.OrdinalIgnoreCase);
                foreach (var level in levels)
                    foreach (var (key, value) in level.Settings) settings[key] = value;
                settings["Training:Seed"] = seed.ToString(CultureInfo.InvariantCulture);
                var labels = Axes.Zip(levels).ToDictionary(p => p.First.Name, p => p.Second.Label);
                cells.Add(new AblationCell(labels, seed, settings) { Position = cells.Count });
            }
        return cells;
    }

    /// <summary>Reads and checks a grid file.</summary>
    /// <exception cref="GiGpoNetConfigurationException">The file is missing, is not valid JSON, or a field is wrong; the message says which and how to fix it.</exception>
    public static AblationGrid Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new GiGpoNetConfigurationException($"The grid file '{full}' does not exist; give the path of a grid (see samples/ablations/).");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(full), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new GiGpoNetConfigurationException($"The grid file '{full}' is not valid JSON: {e.Message}", e);
        }
        using (document)
            return Parse(document.RootElement, full);
    }

    private static AblationGrid Parse(JsonElement root, string path)
    {
        GiGpoNetConfigurationException Error(string message) => new($"Grid file '{path}': {message}");
        if (root.ValueKind != JsonValueKind.Object) throw Error("the top level must be an object with name, axes and seeds.");
        if (DuplicateKey(root, "") is { } duplicate) throw Error($"'{duplicate}' is given twice; keep one (JSON readers disagree on which would win).");
        var known = new HashSet<string>(["name", "settings", "plugins", "base", "axes", "seeds", "maxParallelRuns"], StringComparer.OrdinalIgnoreCase);
        foreach (var property in root.EnumerateObject())
            if (!known.Contains(property.Name)) throw Error($"unknown field '{property.Name}'; the fields are {string.Join(", ", known)}.");

        var name = Get(root, "name") is { ValueKind: JsonValueKind.String } n && !string.IsNullOrWhiteSpace(n.GetString()) ? n.GetString()!
            : Path.GetFileNameWithoutExtension(path);
        string? settings = null;
        if (Get(root, "settings") is { } s)
        {
            if (s.ValueKind != JsonValueKind.String) throw Error("'settings' must be the path of a settings file, relative to the grid file.");
            settings = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, s.GetString()!));
            if (!File.Exists(settings)) throw Error($"the settings file '{settings}' does not exist.");
        }
        var baseSettings = Get(root, "base") is { } b ? Settings(b, "base", Error) : new Dictionary<string, string>();
        if (Get(root, "plugins") is { } plugins)
        {
            if (plugins.ValueKind != JsonValueKind.Array || plugins.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw Error("'plugins' must be an array of plugin assembly paths, relative to the grid file.");
            var index = 0;
            foreach (var plugin in plugins.EnumerateArray())
            {
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, plugin.GetString()!));
                if (!File.Exists(full)) throw Error($"the plugin '{full}' does not exist; build it first (dotnet build).");
                baseSettings[$"Plugins:{index++}"] = full;
            }
        }

        if (Get(root, "axes") is not { ValueKind: JsonValueKind.Array } axesElement)
            throw Error("'axes' must be an array of { \"name\", \"key\", \"values\" } (an empty array runs the base configuration only).");
        var axes = new List<AblationAxis>();
        foreach (var axis in axesElement.EnumerateArray())
        {
            if (axis.ValueKind != JsonValueKind.Object || Get(axis, "name") is not { ValueKind: JsonValueKind.String } axisName || string.IsNullOrWhiteSpace(axisName.GetString()))
                throw Error("every axis needs a \"name\".");
            var label = axisName.GetString()!;
            var key = Get(axis, "key") is { ValueKind: JsonValueKind.String } k ? k.GetString() : null;
            if (Get(axis, "values") is not { ValueKind: JsonValueKind.Array } values || values.GetArrayLength() == 0)
                throw Error($"axis '{label}' needs a non-empty \"values\" array.");
            var levels = new List<AblationLevel>();
            foreach (var value in values.EnumerateArray())
            {
                if (value.ValueKind == JsonValueKind.Object)
                {
                    var set = Get(value, "set") is { } setElement ? Settings(setElement, $"axis '{label}'", Error)
                        : throw Error($"axis '{label}': an object value needs \"set\": {{ \"Section:Key\": value, ... }} (and optionally \"label\").");
                    var levelLabel = Get(value, "label") is { ValueKind: JsonValueKind.String } l ? l.GetString()! : string.Join(", ", set.Select(p => $"{p.Key}={p.Value}"));
                    levels.Add(new AblationLevel(levelLabel, set));
                }
                else
                {
                    if (key is null) throw Error($"axis '{label}' lists plain values, so it needs a \"key\" (the configuration key they set, for example " +
                        $"\"Algorithms:gigpo:Gamma\").");
                    var text = Scalar(value) ?? throw Error($"axis '{label}': the value {value.GetRawText()} must be a string, number or boolean.");
                    levels.Add(new AblationLevel(text, new Dictionary<string, string> { [key] = text }));
                }
            }
            if (levels.Select(l => Slug(l.Label)).Distinct().Count() != levels.Count)
                throw Error($"axis '{label}' has two values with the same label; give each a distinct \"label\".");
            if (levels.FirstOrDefault(l => Encoding.UTF8.GetByteCount(Slug(l.Label)) > MaxLabelBytes) is { } tooLong)
                throw Error($"axis '{label}': the label '{tooLong.Label[..Math.Min(40, tooLong.Label.Length)]}...' is too long to name a cell's folder " +
                    $"({Encoding.UTF8.GetByteCount(Slug(tooLong.Label))} bytes; at most {MaxLabelBytes}): give it a shorter \"label\".");
            axes.Add(new AblationAxis(label, levels));
        }
        if (axes.Select(a => a.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count() != axes.Count) throw Error("two axes have the same name.");

        if (Get(root, "seeds") is not { ValueKind: JsonValueKind.Array } seedsElement || seedsElement.GetArrayLength() == 0
            || seedsElement.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.Number || !x.TryGetInt64(out _)))
            throw Error("'seeds' must be a non-empty array of whole numbers, for example [1, 2, 3].");
        var seeds = seedsElement.EnumerateArray().Select(x => x.GetInt64()).ToList();
        if (seeds.Distinct().Count() != seeds.Count) throw Error("'seeds' lists a seed twice.");

        var parallel = 1;
        if (Get(root, "maxParallelRuns") is { } p && (p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out parallel) || parallel < 1))
            throw Error("'maxParallelRuns' must be a whole number of at least 1.");

        var longestId = axes.Sum(a => a.Levels.Max(l => Encoding.UTF8.GetByteCount(Slug(l.Label))) + 2) + "seed".Length + 20;
        if (longestId > MaxFolderNameBytes)
            throw Error($"the labels of the {axes.Count} axes together make cell folder names of up to {longestId} bytes, more than the {MaxFolderNameBytes} a " +
                "file system allows: give the levels shorter \"label\"s.");

        foreach (var reserved in new[] { "Training:Seed", "Training:OutputDirectory" })
            if (baseSettings.ContainsKey(reserved) || axes.Any(a => a.Levels.Any(l => l.Settings.ContainsKey(reserved))))
                throw Error($"'{reserved}' is set by the grid itself (from 'seeds' and the cell's folder); remove it.");
        return new AblationGrid { Name = name, SettingsFile = settings, Base = baseSettings, Axes = axes, Seeds = seeds, MaxParallelRuns = parallel };
    }

    /// <summary>The longest label a cell's folder name takes, in UTF-8 bytes.</summary>
    private const int MaxLabelBytes = 100;

    /// <summary>The longest file name Linux, macOS and Windows file systems take, in bytes.</summary>
    private const int MaxFolderNameBytes = 255;

    /// <summary>The path of the first key an object of <paramref name="element"/> repeats (case-insensitively, as configuration keys are), or null.</summary>
    private static string? DuplicateKey(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Array)
            return element.EnumerateArray().Select((item, i) => DuplicateKey(item, $"{path}[{i}]")).FirstOrDefault(d => d is not null);
        if (element.ValueKind != JsonValueKind.Object) return null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            var at = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
            if (!seen.Add(property.Name)) return at;
            if (DuplicateKey(property.Value, at) is { } inner) return inner;
        }
        return null;
    }

    private static Dictionary<string, string> Settings(JsonElement element, string where, Func<string, GiGpoNetConfigurationException> error)
    {
        if (element.ValueKind != JsonValueKind.Object) throw error($"{where} must be an object of \"Section:Key\": value pairs.");
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
        {
            if (!property.Name.Contains(':')) throw error($"{where}: '{property.Name}' is not a configuration key; keys look like Section:Key (for example Training:Iterations).");
            settings[property.Name] = Scalar(property.Value) ?? throw error($"{where}: the value of '{property.Name}' must be a string, number or boolean.");
        }
        return settings;
    }

    private static string? Scalar(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    private static JsonElement? Get(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase)) return property.Value;
        return null;
    }

    /// <summary>A folder-name-safe form of a label: lower case letters (of any script), digits, '.', '-' and '_'.</summary>
    public static string Slug(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var chars = label.Trim().ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray();
        var slug = new string(chars);
        while (slug.Contains("__", StringComparison.Ordinal)) slug = slug.Replace("__", "_", StringComparison.Ordinal);
        return slug.Trim('_') is { Length: > 0 } s ? s : "x";
    }
}
