using System.Text.Json;
using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// The architecture of a decoder-only transformer of the Qwen2 / Qwen3 / Llama / Mistral family, read from and written to a Hugging Face
/// <c>config.json</c>: RMSNorm, rotary embeddings with base θ (optionally scaled, <see cref="RopeScaling"/>), grouped-query attention
/// (optionally with a sliding window), SwiGLU MLP, optional tied embeddings, biases where the architecture has them, and Qwen3's per-head
/// q/k norms. <see cref="Load"/> refuses what it does not implement, naming the key.
/// </summary>
public sealed record Qwen2Config
{
    /// <summary>Vocabulary size.</summary>
    public required int VocabSize { get; init; }

    /// <summary>Model width.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Width of the SwiGLU MLP.</summary>
    public required int IntermediateSize { get; init; }

    /// <summary>Number of decoder layers.</summary>
    public required int NumHiddenLayers { get; init; }

    /// <summary>Number of query heads.</summary>
    public required int NumAttentionHeads { get; init; }

    /// <summary>Number of key/value heads (grouped-query attention); equal to the query heads for plain multi-head attention.</summary>
    public required int NumKeyValueHeads { get; init; }

    /// <summary>Width of one head; hidden size / heads unless the config says otherwise.</summary>
    public int HeadDim => ExplicitHeadDim ?? HiddenSize / Math.Max(1, NumAttentionHeads);

    /// <summary>A <c>head_dim</c> given explicitly by the config.</summary>
    public int? ExplicitHeadDim { get; init; }

    /// <summary>RMSNorm ε. Default 1e-6.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Rotary base θ. Default 10000 (Qwen2.5 uses 1,000,000).</summary>
    public double RopeTheta { get; init; } = 10_000;

    /// <summary>How the rotary frequencies are scaled for long contexts; null for none.</summary>
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Whether the output projection shares the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether q, k and v projections have biases (Qwen2: true; Qwen3, Llama, Mistral: false unless the config says so).</summary>
    public bool AttentionBias { get; init; } = true;

    /// <summary>Whether <c>o_proj</c> has a bias (Llama and Qwen3 with <c>attention_bias</c>; never Qwen2).</summary>
    public bool OutputBias { get; init; }

    /// <summary>Whether the MLP's projections have biases (Llama's <c>mlp_bias</c>).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Whether each query and key head is RMS-normalized before the rotary embedding (Qwen3's <c>q_norm</c> / <c>k_norm</c>).</summary>
    public bool QkNorm { get; init; }

    /// <summary>The attention window of the layers that have one (a query sees the last <c>sliding_window</c> positions, itself included), or null.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Which layers use <see cref="SlidingWindow"/> (null: every layer, when there is a window).</summary>
    public IReadOnlyList<bool>? SlidingLayers { get; init; }

    /// <summary>Longest sequence the model is meant for.</summary>
    public int MaxPositionEmbeddings { get; init; } = 32_768;

    /// <summary>The <c>model_type</c>: <c>qwen2</c>, <c>qwen3</c>, <c>llama</c> or <c>mistral</c>.</summary>
    public string ModelType { get; init; } = "qwen2";

    /// <summary>The <c>config.json</c> this was read from, whose other fields are written back unchanged.</summary>
    internal JsonObject? Source { get; init; }

    /// <summary>Whether two configs describe the same computation (the fields of <c>config.json</c> that change nothing aside).</summary>
    public bool Equals(Qwen2Config? other) => other is not null && !Differences(other).Any();

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(ModelType, VocabSize, HiddenSize, IntermediateSize, NumHiddenLayers, NumAttentionHeads, HeadDim, RopeTheta);

    /// <summary>The fields in which <paramref name="other"/> differs, each as "name a vs b".</summary>
    internal IEnumerable<string> Differences(Qwen2Config other)
    {
        static string Show(object? value) => value switch
        {
            null => "none",
            IReadOnlyList<bool> layers => string.Concat(layers.Select(l => l ? 'w' : 'f')),
            _ => value.ToString() ?? "",
        };
        foreach (var (name, mine, theirs) in new (string, object?, object?)[]
                 {
                     ("model_type", ModelType, other.ModelType), ("vocab_size", VocabSize, other.VocabSize), ("hidden_size", HiddenSize, other.HiddenSize),
                     ("intermediate_size", IntermediateSize, other.IntermediateSize), ("num_hidden_layers", NumHiddenLayers, other.NumHiddenLayers),
                     ("num_attention_heads", NumAttentionHeads, other.NumAttentionHeads), ("num_key_value_heads", NumKeyValueHeads, other.NumKeyValueHeads),
                     ("head_dim", HeadDim, other.HeadDim), ("rms_norm_eps", RmsNormEps, other.RmsNormEps), ("rope_theta", RopeTheta, other.RopeTheta),
                     ("rope_scaling", RopeScaling, other.RopeScaling), ("tie_word_embeddings", TieWordEmbeddings, other.TieWordEmbeddings),
                     ("attention_bias", AttentionBias, other.AttentionBias), ("o_proj bias", OutputBias, other.OutputBias), ("mlp_bias", MlpBias, other.MlpBias),
                     ("q/k norm", QkNorm, other.QkNorm), ("sliding_window", SlidingWindow, other.SlidingWindow),
                     ("sliding layers", Show(SlidingLayers), Show(other.SlidingLayers)),
                     ("max_position_embeddings", MaxPositionEmbeddings, other.MaxPositionEmbeddings),
                 })
            if (!Equals(mine, theirs)) yield return $"{name} {Show(mine)} vs {Show(theirs)}";
    }

    /// <summary>Whether layer <paramref name="layer"/> attends through <see cref="SlidingWindow"/>.</summary>
    public bool UsesSlidingWindow(int layer) => SlidingWindow is not null && (SlidingLayers is null || SlidingLayers[layer]);

    /// <summary>
    /// The keys of <c>config.json</c> that do not change the computation (identifiers, generation defaults, bookkeeping of
    /// transformers' <c>PretrainedConfig</c>). Any key neither read nor listed here is refused, so that nothing a checkpoint
    /// declares is silently ignored.
    /// </summary>
    private static readonly HashSet<string> InertKeys = new(StringComparer.Ordinal)
    {
        "architectures", "model_type", "transformers_version", "torch_dtype", "dtype", "bos_token_id", "eos_token_id", "pad_token_id",
        "sep_token_id", "decoder_start_token_id", "use_cache", "initializer_range", "_name_or_path", "name_or_path", "id2label", "label2id",
        "return_dict", "output_hidden_states", "output_attentions", "torchscript", "tokenizer_class", "prefix", "task_specific_params",
        "finetuning_task", "problem_type", "max_length", "min_length", "do_sample", "early_stopping", "num_beams", "num_beam_groups",
        "diversity_penalty", "temperature", "top_k", "top_p", "typical_p", "repetition_penalty", "length_penalty", "no_repeat_ngram_size",
        "encoder_no_repeat_ngram_size", "bad_words_ids", "num_return_sequences", "output_scores", "return_dict_in_generate",
        "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values", "exponential_decay_length_penalty", "suppress_tokens",
        "begin_suppress_tokens", "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "add_cross_attention", "tie_encoder_decoder",
        "pruned_heads", "cross_attention_hidden_size", "tf_legacy_loss", "use_bfloat16", "_attn_implementation_autoset", "keys_to_ignore_at_inference",
    };

    /// <summary>Keys every architecture reads.</summary>
    private static readonly HashSet<string> CommonKeys = new(StringComparer.Ordinal)
    {
        "vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "head_dim",
        "hidden_act", "rms_norm_eps", "rope_theta", "rope_scaling", "rope_parameters", "tie_word_embeddings", "attention_bias",
        "attention_dropout", "max_position_embeddings", "partial_rotary_factor",
    };

    /// <summary>Largest sizes accepted before anything is allocated (well beyond every released model of these families).</summary>
    private static readonly Dictionary<string, int> Limits = new(StringComparer.Ordinal)
    {
        ["vocab_size"] = 1 << 22, ["hidden_size"] = 1 << 17, ["intermediate_size"] = 1 << 19, ["num_hidden_layers"] = 4096,
        ["num_attention_heads"] = 4096, ["num_key_value_heads"] = 4096, ["head_dim"] = 1 << 14, ["max_position_embeddings"] = 1 << 30,
    };

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">
    /// The file is not a JSON object; it names an architecture this backend does not implement; a required field is missing or of the
    /// wrong type; a field sets something not implemented (a rope type, an activation, attention dropout, quantization, an unknown key).
    /// </exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    public static Qwen2Config Load(string path)
    {
        if (!Checkpoints.ModelFiles.Exists(path)) throw new FileNotFoundException($"No model config at '{path}'; a Hugging Face model folder has a config.json.", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(Checkpoints.ModelFiles.ReadText(path), documentOptions: Checkpoints.ModelFiles.JsonOptions(64)) as JsonObject
                   ?? throw new GiGpoNetConfigurationException($"'{path}' is not a JSON object; a config.json is one.");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new GiGpoNetConfigurationException($"'{path}' is not a readable JSON file ({e.Message}); restore the model's config.json.");
        }
        try
        {
            return FromJson(root, path);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new GiGpoNetConfigurationException($"'{path}' has a field of the wrong type: {e.Message} Restore the model's config.json.");
        }
    }

    private static Qwen2Config FromJson(JsonObject root, string path)
    {
        var architecture = Architecture(root, path);
        var unknown = root.Select(p => p.Key).Where(k => !InertKeys.Contains(k) && !CommonKeys.Contains(k) && !architecture.Keys.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new GiGpoNetConfigurationException($"'{path}' sets {string.Join(", ", unknown.Select(k => $"'{k}'"))}, which {architecture.ClassName} here does " +
                "not implement. Use a checkpoint without it (a quantized or otherwise modified model cannot be trained as it is).");
        int Required(string key) => root[key] switch
        {
            null => throw new GiGpoNetConfigurationException($"'{path}' has no '{key}'; a {architecture.ClassName} config needs one."),
            var node => Bounded(key, ConfigValue.As<int>(node, key, $"'{path}'")),
        };
        int Bounded(string key, int value) => value >= 1 && value <= Limits[key] ? value
            : throw new GiGpoNetConfigurationException($"'{path}': {key} = {value} must be between 1 and {Limits[key]}; restore the model's config.json.");
        string? Text(string key) => root[key] is JsonValue v ? ConfigValue.As<string>(v, key, $"'{path}'") : null;
        bool? Flag(string key) => root[key] is JsonValue v ? ConfigValue.As<bool>(v, key, $"'{path}'") : null;
        double? Number(string key) => root[key] is JsonValue v ? ConfigValue.As<double>(v, key, $"'{path}'") : null;

        if (Text("hidden_act") is { } activation && activation != "silu")
            throw new GiGpoNetConfigurationException($"'{path}': hidden_act = '{activation}'; only silu (SwiGLU) is implemented.");
        if (Number("attention_dropout") is { } dropout && dropout != 0)
            throw new GiGpoNetConfigurationException($"'{path}': attention_dropout = {dropout}; attention dropout is not implemented (set it to 0.0).");
        var ropeParameters = root["rope_parameters"] as JsonObject;
        if ((ropeParameters?["partial_rotary_factor"] ?? root["partial_rotary_factor"]) is JsonValue partial
            && ConfigValue.As<double>(partial, "partial_rotary_factor", $"'{path}'") != 1)
            throw new GiGpoNetConfigurationException($"'{path}': partial_rotary_factor = {partial}; only full rotary embeddings are implemented.");

        var heads = Required("num_attention_heads");
        var hidden = Required("hidden_size");
        var layers = Required("num_hidden_layers");
        var maxPositions = root["max_position_embeddings"] is { } positions
            ? Bounded("max_position_embeddings", ConfigValue.As<int>(positions, "max_position_embeddings", $"'{path}'")) : 32_768;
        var attentionBias = Flag("attention_bias") ?? architecture.QkvBiasDefault;
        var (window, slidingLayers) = Window(root, architecture, layers, path);
        var config = new Qwen2Config
        {
            VocabSize = Required("vocab_size"),
            HiddenSize = hidden,
            IntermediateSize = Required("intermediate_size"),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = root["num_key_value_heads"] is { } kv ? Bounded("num_key_value_heads", ConfigValue.As<int>(kv, "num_key_value_heads", $"'{path}'")) : heads,
            ExplicitHeadDim = root["head_dim"] is { } headDim ? Bounded("head_dim", ConfigValue.As<int>(headDim, "head_dim", $"'{path}'")) : architecture.DefaultHeadDim,
            RmsNormEps = Number("rms_norm_eps") ?? 1e-6,
            RopeTheta = (ropeParameters?["rope_theta"] is JsonValue theta ? ConfigValue.As<double>(theta, "rope_theta", $"'{path}'") : (double?)null)
                        ?? Number("rope_theta") ?? 10_000,
            RopeScaling = RopeScaling.Parse((root["rope_scaling"] ?? ropeParameters) as JsonObject, $"'{path}' rope_scaling"),
            TieWordEmbeddings = Flag("tie_word_embeddings") ?? false,
            AttentionBias = attentionBias,
            OutputBias = architecture.OutputBiasFollowsAttentionBias && attentionBias,
            MlpBias = Flag("mlp_bias") ?? false,
            QkNorm = architecture.QkNorm,
            SlidingWindow = window,
            SlidingLayers = slidingLayers,
            MaxPositionEmbeddings = maxPositions,
            ModelType = architecture.ModelType,
            Source = root,
        };
        var problems = config.Validate().ToList();
        return problems.Count == 0 ? config : throw new GiGpoNetConfigurationException($"'{path}': {string.Join(" ", problems)}");
    }

    private static DecoderArchitecture Architecture(JsonObject root, string path)
    {
        var names = root["architectures"] is JsonArray list ? list.Select(n => n is null ? null : ConfigValue.As<string>(n, "architectures", $"'{path}'")).ToList() : [];
        var modelType = root["model_type"] is JsonValue type ? ConfigValue.As<string>(type, "model_type", $"'{path}'") : null;
        var byClass = names.Count > 0 ? DecoderArchitecture.ByClassName(names[0]) : null;
        if (names.Count > 0 && byClass is null)
            throw new GiGpoNetConfigurationException($"'{path}' is a {names[0]}, which this backend does not implement; it implements {DecoderArchitecture.Supported}.");
        var byType = DecoderArchitecture.ByModelType(modelType);
        if (modelType is not null && byType is null)
            throw new GiGpoNetConfigurationException($"'{path}' has model_type '{modelType}', which this backend does not implement; it implements " +
                $"{DecoderArchitecture.Supported}.");
        if (byClass is not null && byType is not null && byClass != byType)
            throw new GiGpoNetConfigurationException($"'{path}' names {byClass.ClassName} but model_type '{modelType}'; the two must agree.");
        return byClass ?? byType ?? throw new GiGpoNetConfigurationException(
            $"'{path}' names no architecture (neither 'architectures' nor 'model_type'); add one of {DecoderArchitecture.Supported}.");
    }

    private static (int? Window, IReadOnlyList<bool>? Layers) Window(JsonObject root, DecoderArchitecture architecture, int layers, string path)
    {
        int? WindowSize(int? missing)
        {
            if (!root.ContainsKey("sliding_window")) return missing;
            if (root["sliding_window"] is not JsonValue w) return null;
            var size = ConfigValue.As<int>(w, "sliding_window", $"'{path}'");
            return size >= 1 ? size : throw new GiGpoNetConfigurationException($"'{path}': sliding_window = {size} must be positive (or null for none).");
        }
        switch (architecture.Window)
        {
            case SlidingWindowRule.EveryLayer:
                return (WindowSize(4096), null);
            case SlidingWindowRule.QwenStyle:
            {
                if (root["layer_types"] is JsonArray types)
                {
                    if (types.Count != layers)
                        throw new GiGpoNetConfigurationException($"'{path}': layer_types has {types.Count} entries for {layers} layers.");
                    var sliding = types.Select(t => (t is null ? null : ConfigValue.As<string>(t, "layer_types", $"'{path}'")) switch
                    {
                        "full_attention" => false,
                        "sliding_attention" => true,
                        var other => throw new GiGpoNetConfigurationException(
                            $"'{path}': layer_types has '{other}'; full_attention and sliding_attention are implemented."),
                    }).ToList();
                    var size = sliding.Any(s => s) ? WindowSize(4096) : null;
                    return (size, size is null ? null : sliding);
                }
                if (root["use_sliding_window"] is not JsonValue on || !ConfigValue.As<bool>(on, "use_sliding_window", $"'{path}'")) return (null, null);
                var from = root["max_window_layers"] is JsonValue m ? ConfigValue.As<int>(m, "max_window_layers", $"'{path}'") : 28;
                var window = WindowSize(4096);
                return (window, window is null ? null : [.. Enumerable.Range(0, layers).Select(l => l >= from)]);
            }
            default:
                return (null, null);
        }
    }

    /// <summary>Writes <c>config.json</c> in Hugging Face's format: the fields it was read with, the architecture's as they are now.</summary>
    public void Save(string path, string torchDtype = "float32")
    {
        var architecture = DecoderArchitecture.ByModelType(ModelType) ?? DecoderArchitecture.Qwen2;
        var root = Source?.DeepClone().AsObject() ?? new JsonObject();
        root["architectures"] = new JsonArray(architecture.ClassName);
        root["model_type"] = architecture.ModelType;
        root["vocab_size"] = VocabSize;
        root["hidden_size"] = HiddenSize;
        root["intermediate_size"] = IntermediateSize;
        root["num_hidden_layers"] = NumHiddenLayers;
        root["num_attention_heads"] = NumAttentionHeads;
        root["num_key_value_heads"] = NumKeyValueHeads;
        root["rms_norm_eps"] = RmsNormEps;
        if (root["rope_parameters"] is JsonObject parameters) parameters["rope_theta"] = RopeTheta;
        else
        {
            root["rope_theta"] = RopeTheta;
            root["rope_scaling"] = RopeScaling?.ToJson();
        }
        root["tie_word_embeddings"] = TieWordEmbeddings;
        root["attention_bias"] = AttentionBias;
        if (architecture == DecoderArchitecture.Llama || MlpBias) root["mlp_bias"] = MlpBias;
        root["max_position_embeddings"] = MaxPositionEmbeddings;
        root["hidden_act"] = "silu";
        root["torch_dtype"] = torchDtype;
        if (ExplicitHeadDim is { } headDim) root["head_dim"] = headDim;
        if (Source is null && SlidingWindow is { } window)
        {
            root["sliding_window"] = window;
            if (architecture.Window == SlidingWindowRule.QwenStyle)
            {
                root["use_sliding_window"] = true;
                root["layer_types"] = new JsonArray([.. Enumerable.Range(0, NumHiddenLayers)
                    .Select(l => (JsonNode)(UsesSlidingWindow(l) ? "sliding_attention" : "full_attention"))]);
            }
        }
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Every weight of the model under its Hugging Face name, with its shape, in transformers' order: what the checkpoint's files must
    /// hold, checked before the model is built.
    /// </summary>
    public IEnumerable<(string Name, long[] Shape)> ExpectedWeights()
    {
        long heads = NumAttentionHeads * (long)HeadDim, kv = NumKeyValueHeads * (long)HeadDim;
        yield return ("model.embed_tokens.weight", [VocabSize, HiddenSize]);
        for (var l = 0; l < NumHiddenLayers; l++)
        {
            var p = $"model.layers.{l}.";
            foreach (var (name, rows) in new[] { ("q_proj", heads), ("k_proj", kv), ("v_proj", kv) })
            {
                yield return ($"{p}self_attn.{name}.weight", [rows, HiddenSize]);
                if (AttentionBias) yield return ($"{p}self_attn.{name}.bias", [rows]);
            }
            yield return ($"{p}self_attn.o_proj.weight", [HiddenSize, heads]);
            if (OutputBias) yield return ($"{p}self_attn.o_proj.bias", [HiddenSize]);
            if (QkNorm)
            {
                yield return ($"{p}self_attn.q_norm.weight", [HeadDim]);
                yield return ($"{p}self_attn.k_norm.weight", [HeadDim]);
            }
            foreach (var (name, rows, columns) in new[] { ("gate_proj", (long)IntermediateSize, (long)HiddenSize), ("up_proj", IntermediateSize, HiddenSize),
                         ("down_proj", HiddenSize, IntermediateSize) })
            {
                yield return ($"{p}mlp.{name}.weight", [rows, columns]);
                if (MlpBias) yield return ($"{p}mlp.{name}.bias", [rows]);
            }
            yield return ($"{p}input_layernorm.weight", [HiddenSize]);
            yield return ($"{p}post_attention_layernorm.weight", [HiddenSize]);
        }
        yield return ("model.norm.weight", [HiddenSize]);
        if (!TieWordEmbeddings) yield return ("lm_head.weight", [VocabSize, HiddenSize]);
    }

    /// <summary>Lists what is inconsistent.</summary>
    public IEnumerable<string> Validate()
    {
        if (VocabSize < 2) yield return $"vocab_size = {VocabSize} must be at least 2.";
        if (NumAttentionHeads < 1 || NumKeyValueHeads < 1 || NumAttentionHeads % NumKeyValueHeads != 0)
            yield return $"num_attention_heads = {NumAttentionHeads} must be a positive multiple of num_key_value_heads = {NumKeyValueHeads}.";
        if (ExplicitHeadDim is null && NumAttentionHeads >= 1 && HiddenSize % NumAttentionHeads != 0)
            yield return $"hidden_size = {HiddenSize} must be divisible by num_attention_heads = {NumAttentionHeads}.";
        if (HeadDim < 2 || HeadDim % 2 != 0) yield return $"head_dim = {HeadDim} must be even and at least 2 for rotary embeddings.";
        if (NumHiddenLayers < 1) yield return $"num_hidden_layers = {NumHiddenLayers} must be at least 1.";
        if (HiddenSize < 1 || IntermediateSize < 1) yield return $"hidden_size = {HiddenSize} and intermediate_size = {IntermediateSize} must be positive.";
        if (MaxPositionEmbeddings < 1) yield return $"max_position_embeddings = {MaxPositionEmbeddings} must be positive.";
        if (!(RmsNormEps > 0) || !double.IsFinite(RmsNormEps)) yield return $"rms_norm_eps = {RmsNormEps} must be a positive number.";
        if (!(RopeTheta > 1) || !double.IsFinite(RopeTheta)) yield return $"rope_theta = {RopeTheta} must be a number above 1.";
        if (SlidingLayers is not null && SlidingLayers.Count != NumHiddenLayers)
            yield return $"the sliding-window layers ({SlidingLayers.Count}) must be one per layer ({NumHiddenLayers}).";
        foreach (var problem in RopeScaling?.Problems() ?? []) yield return problem;
    }
}
