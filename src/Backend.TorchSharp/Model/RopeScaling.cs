using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// A config's <c>rope_scaling</c> (or transformers v5's <c>rope_parameters</c>): how the rotary frequencies are stretched for contexts
/// longer than the model was pretrained on, as transformers' rope utilities compute them. <c>linear</c> divides every frequency by
/// the factor; <c>dynamic</c> (NTK) raises the base once a forward pass holds positions beyond <c>max_position_embeddings</c>;
/// <c>yarn</c> ramps between interpolated and original frequencies and scales cos and sin by an attention factor; <c>llama3</c> (Llama
/// 3.1 and 3.2) divides the low frequencies by the factor and blends the middle band. Other types are refused by name.
/// </summary>
public sealed record RopeScaling
{
    /// <summary>The types implemented.</summary>
    public static readonly IReadOnlyList<string> Types = ["linear", "dynamic", "yarn", "llama3"];

    /// <summary><c>linear</c>, <c>dynamic</c>, <c>yarn</c> or <c>llama3</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The context extension factor.</summary>
    public required double Factor { get; init; }

    /// <summary>The context length of pretraining (<c>llama3</c>: required; <c>yarn</c>: <c>max_position_embeddings</c> when unset).</summary>
    public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary><c>llama3</c>: wavelengths above the original length / this factor are divided by <see cref="Factor"/>.</summary>
    public double LowFreqFactor { get; init; } = 1;

    /// <summary><c>llama3</c>: wavelengths below the original length / this factor are kept.</summary>
    public double HighFreqFactor { get; init; } = 4;

    /// <summary><c>yarn</c>: rotations above which a dimension is extrapolated (default 32).</summary>
    public double BetaFast { get; init; } = 32;

    /// <summary><c>yarn</c>: rotations below which a dimension is interpolated (default 1).</summary>
    public double BetaSlow { get; init; } = 1;

    /// <summary><c>yarn</c>: the factor on cos and sin; unset: 0.1 · ln(factor) + 1 (or the mscale ratio).</summary>
    public double? AttentionFactor { get; init; }

    /// <summary><c>yarn</c>: DeepSeek's <c>mscale</c>, used with <see cref="MscaleAllDim"/> for the attention factor.</summary>
    public double? Mscale { get; init; }

    /// <summary><c>yarn</c>: DeepSeek's <c>mscale_all_dim</c>.</summary>
    public double? MscaleAllDim { get; init; }

    /// <summary><c>yarn</c>: whether the correction range is rounded outwards to whole dimensions (default true).</summary>
    public bool Truncate { get; init; } = true;

    private static readonly Dictionary<string, string[]> KeysByType = new(StringComparer.Ordinal)
    {
        ["linear"] = ["factor"],
        ["dynamic"] = ["factor", "original_max_position_embeddings"],
        ["yarn"] = ["factor", "original_max_position_embeddings", "beta_fast", "beta_slow", "attention_factor", "mscale", "mscale_all_dim", "truncate"],
        ["llama3"] = ["factor", "original_max_position_embeddings", "low_freq_factor", "high_freq_factor"],
    };

    /// <summary>
    /// Reads a <c>rope_scaling</c> object; null for none or <c>default</c>. <paramref name="where"/> names it in messages.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">An unknown type, a missing or unknown key, or a value out of range.</exception>
    internal static RopeScaling? Parse(JsonObject? node, string where)
    {
        if (node is null) return null;
        var type = (node["rope_type"] ?? node["type"]) is { } named ? ConfigValue.As<string>(named, "rope_type", where) : "default";
        if (type == "default") return null;
        if (!KeysByType.TryGetValue(type, out var known))
            throw new GiGpoNetConfigurationException($"{where} has rope_type '{type}', which this backend does not implement; it implements " +
                $"{string.Join(", ", Types)} (and none). Remove it only if the model was not trained with it.");
        var unknown = node.Select(p => p.Key).Where(k => k is not ("rope_type" or "type" or "rope_theta") && !known.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new GiGpoNetConfigurationException($"{where}: rope_type '{type}' does not take {string.Join(", ", unknown.Select(k => $"'{k}'"))}; " +
                $"it takes {string.Join(", ", known)}.");
        double? Number(string key) => node[key] is JsonValue v ? ConfigValue.As<double>(v, key, where) : null;
        var factor = Number("factor") ?? throw new GiGpoNetConfigurationException($"{where}: rope_type '{type}' needs a 'factor'.");
        var scaling = new RopeScaling
        {
            Type = type,
            Factor = factor,
            OriginalMaxPositionEmbeddings = node["original_max_position_embeddings"] is JsonValue o ? ConfigValue.As<int>(o, "original_max_position_embeddings", where) : null,
            LowFreqFactor = Number("low_freq_factor") ?? 1,
            HighFreqFactor = Number("high_freq_factor") ?? 4,
            BetaFast = Number("beta_fast") is { } fast && fast != 0 ? fast : 32,
            BetaSlow = Number("beta_slow") is { } slow && slow != 0 ? slow : 1,
            AttentionFactor = Number("attention_factor"),
            Mscale = Number("mscale"),
            MscaleAllDim = Number("mscale_all_dim"),
            Truncate = node["truncate"] is JsonValue t ? ConfigValue.As<bool>(t, "truncate", where) : true,
        };
        if (type == "llama3" && (node["low_freq_factor"] is null || node["high_freq_factor"] is null || scaling.OriginalMaxPositionEmbeddings is null))
            throw new GiGpoNetConfigurationException($"{where}: rope_type 'llama3' needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings.");
        var problems = scaling.Problems().ToList();
        return problems.Count == 0 ? scaling : throw new GiGpoNetConfigurationException($"{where}: {string.Join(" ", problems)}");
    }

    /// <summary>What is out of range.</summary>
    public IEnumerable<string> Problems()
    {
        if (!(Factor > 0) || !double.IsFinite(Factor)) yield return $"rope_scaling factor = {Factor} must be a positive number.";
        if (OriginalMaxPositionEmbeddings is < 1) yield return $"rope_scaling original_max_position_embeddings = {OriginalMaxPositionEmbeddings} must be positive.";
        if (Type == "llama3" && !(HighFreqFactor > LowFreqFactor && LowFreqFactor > 0))
            yield return $"rope_scaling high_freq_factor = {HighFreqFactor} must exceed low_freq_factor = {LowFreqFactor} > 0.";
        if (AttentionFactor is { } a && !(a > 0)) yield return $"rope_scaling attention_factor = {a} must be positive.";
    }

    /// <summary>The object written back to <c>config.json</c> (defaults left out).</summary>
    internal JsonObject ToJson()
    {
        var node = new JsonObject { ["rope_type"] = Type, ["factor"] = Factor };
        if (OriginalMaxPositionEmbeddings is { } original) node["original_max_position_embeddings"] = original;
        if (Type == "llama3")
        {
            node["low_freq_factor"] = LowFreqFactor;
            node["high_freq_factor"] = HighFreqFactor;
        }
        if (Type == "yarn")
        {
            if (BetaFast != 32) node["beta_fast"] = BetaFast;
            if (BetaSlow != 1) node["beta_slow"] = BetaSlow;
            if (AttentionFactor is { } a) node["attention_factor"] = a;
            if (Mscale is { } m) node["mscale"] = m;
            if (MscaleAllDim is { } all) node["mscale_all_dim"] = all;
            if (!Truncate) node["truncate"] = false;
        }
        return node;
    }

    /// <summary>
    /// The inverse frequencies (one per pair of dimensions) and the factor on cos and sin for a head of <paramref name="headDim"/>
    /// dimensions with base <paramref name="theta"/>, when the forward pass's positions reach <paramref name="sequenceLength"/> (only
    /// <c>dynamic</c> depends on it). Without scaling (<paramref name="scaling"/> null): θ^(−2i/d) and 1.
    /// </summary>
    internal static (double[] InverseFrequencies, double AttentionFactor) Frequencies(RopeScaling? scaling, int headDim, double theta, int maxPositionEmbeddings,
        long sequenceLength)
    {
        var half = headDim / 2;
        double[] Base(double b) => [.. Enumerable.Range(0, half).Select(i => 1.0 / Math.Pow(b, 2.0 * i / headDim))];
        if (scaling is null) return (Base(theta), 1);
        switch (scaling.Type)
        {
            case "linear":
                return ([.. Base(theta).Select(f => f / scaling.Factor)], 1);
            case "dynamic":
            {
                double length = Math.Max(sequenceLength, maxPositionEmbeddings);
                var stretched = theta * Math.Pow(scaling.Factor * length / maxPositionEmbeddings - (scaling.Factor - 1), headDim / (headDim - 2.0));
                return (Base(stretched), 1);
            }
            case "yarn":
                return Yarn(scaling, headDim, theta, maxPositionEmbeddings);
            case "llama3":
                return (Llama3(scaling, Base(theta)), 1);
            default:
                throw new InvalidOperationException($"rope_type '{scaling.Type}' is not implemented.");
        }
    }

    private static (double[], double) Yarn(RopeScaling s, int dim, double theta, int maxPositionEmbeddings)
    {
        var original = s.OriginalMaxPositionEmbeddings ?? maxPositionEmbeddings;
        static double MscaleOf(double scale, double m) => scale <= 1 ? 1 : 0.1 * m * Math.Log(scale) + 1;
        var attention = s.AttentionFactor ?? (s.Mscale is { } m && m != 0 && s.MscaleAllDim is { } all && all != 0
            ? MscaleOf(s.Factor, m) / MscaleOf(s.Factor, all)
            : MscaleOf(s.Factor, 1));
        double CorrectionDimension(double rotations) => dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(theta));
        var (low, high) = (CorrectionDimension(s.BetaFast), CorrectionDimension(s.BetaSlow));
        if (s.Truncate) (low, high) = (Math.Floor(low), Math.Ceiling(high));
        (low, high) = (Math.Max(low, 0), Math.Min(high, dim - 1));
        if (low == high) high += 0.001;
        var frequencies = new double[dim / 2];
        for (var i = 0; i < frequencies.Length; i++)
        {
            var position = Math.Pow(theta, 2.0 * i / dim);
            var ramp = Math.Clamp((i - low) / (high - low), 0, 1);
            var extrapolated = 1 - ramp; // share of the original frequency
            frequencies[i] = 1 / (s.Factor * position) * (1 - extrapolated) + 1 / position * extrapolated;
        }
        return (frequencies, attention);
    }

    private static double[] Llama3(RopeScaling s, double[] frequencies)
    {
        var original = (double)s.OriginalMaxPositionEmbeddings!.Value;
        var (lowWavelength, highWavelength) = (original / s.LowFreqFactor, original / s.HighFreqFactor);
        return [.. frequencies.Select(f =>
        {
            var wavelength = 2 * Math.PI / f;
            if (wavelength < highWavelength) return f;
            if (wavelength > lowWavelength) return f / s.Factor;
            var smooth = (original / wavelength - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
            return (1 - smooth) * f / s.Factor + smooth * f;
        })];
    }
}
