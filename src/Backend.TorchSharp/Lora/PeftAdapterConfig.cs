using GiGpoNet.Backend.Model;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Lora;

/// <summary>
/// A PEFT <c>adapter_config.json</c> read as PEFT reads it: which projections get an adapter (<c>target_modules</c> as a list of name
/// suffixes, a regex matched against the full name, or <c>all-linear</c>; <c>layers_to_transform</c> with <c>layers_pattern</c>), and
/// each one's rank and scaling (<c>r</c> and <c>lora_alpha</c>, overridden per module by <c>rank_pattern</c> and <c>alpha_pattern</c>,
/// alpha / r or with <c>use_rslora</c> alpha / √r). What the backend does not implement (DoRA, <c>modules_to_save</c>, biases,
/// <c>fan_in_fan_out</c>, <c>exclude_modules</c>) is refused by name.
/// </summary>
internal sealed class PeftAdapterConfig
{
    private readonly string _path;
    private readonly Func<string, bool> _targeted;
    private readonly IReadOnlyList<int>? _layers;
    private readonly IReadOnlyList<string> _layersPatterns;
    private readonly List<(string Pattern, int Rank)> _rankPattern;
    private readonly List<(string Pattern, double Alpha)> _alphaPattern;

    private PeftAdapterConfig(string path, int rank, double alpha, bool rsLora, double dropout, Func<string, bool> targeted, IReadOnlyList<string> targets,
        IReadOnlyList<int>? layers, IReadOnlyList<string> layersPatterns, List<(string, int)> rankPattern, List<(string, double)> alphaPattern)
    {
        (_path, Rank, Alpha, RsLora, Dropout, _targeted, Targets) = (path, rank, alpha, rsLora, dropout, targeted, targets);
        (_layers, _layersPatterns, _rankPattern, _alphaPattern) = (layers, layersPatterns, rankPattern, alphaPattern);
    }

    public int Rank { get; }

    public double Alpha { get; }

    public bool RsLora { get; }

    public double Dropout { get; }

    /// <summary>The target_modules as written (for messages and the options kept with the adapters).</summary>
    public IReadOnlyList<string> Targets { get; }

    /// <summary>
    /// The rank and scaling of the adapter on the projection <paramref name="module"/> (PEFT's name without its wrapper,
    /// <c>model.layers.0.self_attn.q_proj</c>), or null when the config puts none there.
    /// </summary>
    public (int Rank, double Scaling)? For(string module)
    {
        if (!_targeted(module)) return null;
        if (_layers is not null && (LayerIndex(module) is not { } layer || !_layers.Contains(layer))) return null;
        var rank = _rankPattern.FirstOrDefault(p => Matches(p.Pattern, module)) is { Pattern: not null } r ? r.Rank : Rank;
        var alpha = _alphaPattern.FirstOrDefault(p => Matches(p.Pattern, module)) is { Pattern: not null } a ? a.Alpha : Alpha;
        if (rank < 1) throw new InvalidDataException($"'{_path}': rank_pattern gives '{module}' r = {rank}; ranks must be positive.");
        return (rank, RsLora ? alpha / Math.Sqrt(rank) : alpha / rank);
    }

    /// <summary>PEFT's pattern match: a key starting with ^ is a regex from the start, any other matches a suffix after a dot.</summary>
    private static bool Matches(string pattern, string module) =>
        pattern.StartsWith('^') ? Regex.IsMatch(module, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            : Regex.IsMatch(module, $@"(^|.*\.){pattern}$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private int? LayerIndex(string module)
    {
        foreach (var pattern in _layersPatterns)
            if (Regex.Match(module, $@".*\.{pattern}\.(\d+)\.", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) is { Success: true } m)
                return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return null;
    }

    public static PeftAdapterConfig Read(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Checkpoints.ModelFiles.ReadText(path), documentOptions: Checkpoints.ModelFiles.JsonOptions(32)) as JsonObject
                   ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {e.Message}", e);
        }
        try
        {
            return FromJson(root, path);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or RegexParseException or RegexMatchTimeoutException)
        {
            throw new InvalidDataException($"'{path}' is not a valid PEFT adapter config: {e.Message}", e);
        }
    }

    private static PeftAdapterConfig FromJson(JsonObject root, string path)
    {
        var type = root["peft_type"] is JsonValue t ? t.GetValue<string>() : null;
        if (!string.Equals(type, "LORA", StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"'{path}' is a PEFT {type ?? "(no peft_type)"} adapter; only LORA adapters load.");
        bool Flag(string key) => root[key] is JsonValue v && ConfigValue.As<bool>(v, key, $"'{path}'");
        if (Flag("use_dora")) throw new InvalidDataException($"'{path}' uses DoRA (use_dora), which this backend does not implement; use a plain LoRA adapter.");
        if (Flag("fan_in_fan_out")) throw new InvalidDataException($"'{path}' sets fan_in_fan_out, which only Conv1D layers use; this model has Linear layers.");
        if (root["bias"] is JsonValue bias && ConfigValue.As<string>(bias, "bias", $"'{path}'") != "none")
            throw new InvalidDataException($"'{path}' trains biases (bias = '{bias.GetValue<string>()}'), which this backend does not implement; use bias 'none'.");
        if (root["modules_to_save"] is JsonArray { Count: > 0 } saved)
            throw new InvalidDataException($"'{path}' saves whole modules ({string.Join(", ", saved)}: modules_to_save), which this backend does not load.");
        if (root["exclude_modules"] is JsonValue or JsonArray { Count: > 0 })
            throw new InvalidDataException($"'{path}' sets exclude_modules, which this backend does not implement.");
        if (root["layer_replication"] is JsonArray { Count: > 0 }) throw new InvalidDataException($"'{path}' sets layer_replication, which this backend does not implement.");
        var rank = root["r"] is JsonValue r ? ConfigValue.As<int>(r, "r", $"'{path}'") : throw new InvalidDataException($"'{path}' has no r.");
        if (rank < 1) throw new InvalidDataException($"'{path}': r = {rank} must be a positive rank.");
        var alpha = root["lora_alpha"] is JsonValue a ? ConfigValue.As<double>(a, "lora_alpha", $"'{path}'") : 8;
        if (!(alpha > 0) || !double.IsFinite(alpha)) throw new InvalidDataException($"'{path}': lora_alpha = {alpha} must be a positive number.");
        var dropout = root["lora_dropout"] is JsonValue d ? ConfigValue.As<double>(d, "lora_dropout", $"'{path}'") : 0;
        if (!(dropout >= 0 && dropout < 1)) throw new InvalidDataException($"'{path}': lora_dropout = {dropout} must be in [0, 1).");

        Func<string, bool> targeted;
        IReadOnlyList<string> targets;
        switch (root["target_modules"])
        {
            case JsonArray list:
                targets = [.. list.Select((n, i) => n is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0 ? name
                    : throw new InvalidDataException($"'{path}': target_modules[{i}] is {n?.ToJsonString() ?? "null"}, not a module name."))];
                if (targets.Count == 0) throw new InvalidDataException($"'{path}': target_modules is empty; the adapter adapts nothing.");
                var set = targets.ToHashSet(StringComparer.Ordinal);
                targeted = module => set.Contains(module) || set.Any(s => module.EndsWith("." + s, StringComparison.Ordinal));
                break;
            case JsonValue one when ConfigValue.As<string>(one, "target_modules", $"'{path}'") is "all-linear":
                targets = ["all-linear"];
                targeted = _ => true; // every projection of the decoder layers; lm_head is never adapted here
                break;
            case JsonValue regex:
                var pattern = new Regex($"^(?:{regex.GetValue<string>()})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                targets = [regex.GetValue<string>()];
                targeted = pattern.IsMatch;
                break;
            default:
                throw new InvalidDataException($"'{path}' has no target_modules.");
        }
        IReadOnlyList<int>? layers = root["layers_to_transform"] switch
        {
            null => null,
            JsonValue v => [ConfigValue.As<int>(v, "layers_to_transform", $"'{path}'")],
            JsonArray list => [.. list.Select(n => ConfigValue.As<int>(n ?? JsonValue.Create("null"), "layers_to_transform", $"'{path}'"))],
            var other => throw new InvalidDataException($"'{path}': layers_to_transform is {other.ToJsonString()}, not a layer index or a list of them."),
        };
        IReadOnlyList<string> layersPatterns = root["layers_pattern"] switch
        {
            null => ["layers", "h", "block", "blocks", "layer"],
            JsonValue v => [Regex.Escape(v.GetValue<string>())],
            JsonArray list => [.. list.Select(n => Regex.Escape(n!.GetValue<string>()))],
            var other => throw new InvalidDataException($"'{path}': layers_pattern is {other.ToJsonString()}, not a name or a list of names."),
        };
        List<(string, int)> rankPattern = root["rank_pattern"] is JsonObject ranks
            ? [.. ranks.Select(p => (p.Key, ConfigValue.As<int>(p.Value ?? JsonValue.Create("null"), "rank_pattern", $"'{path}'")))] : [];
        List<(string, double)> alphaPattern = root["alpha_pattern"] is JsonObject alphas
            ? [.. alphas.Select(p => (p.Key, ConfigValue.As<double>(p.Value ?? JsonValue.Create("null"), "alpha_pattern", $"'{path}'")))] : [];
        foreach (var (key, value) in rankPattern)
            if (value < 1) throw new InvalidDataException($"'{path}': rank_pattern gives '{key}' r = {value}; it must be a positive rank.");
        foreach (var (key, value) in alphaPattern)
            if (!(value > 0) || !double.IsFinite(value)) throw new InvalidDataException($"'{path}': alpha_pattern gives '{key}' lora_alpha = {value}; it must be positive.");
        return new PeftAdapterConfig(path, rank, alpha, Flag("use_rslora"), dropout, targeted, targets, layers, layersPatterns, rankPattern, alphaPattern);
    }
}
