namespace GiGpoNet.Backend.Model;

/// <summary>
/// A decoder-only architecture this backend implements, as a Hugging Face <c>config.json</c> names it (<c>architectures</c> and
/// <c>model_type</c>), with what sets it apart from the others: where its projections have biases, whether it normalizes each query and
/// key head (Qwen3), its <c>head_dim</c> when the config gives none, and how its config turns a sliding window on.
/// </summary>
/// <param name="ModelType">The <c>model_type</c>.</param>
/// <param name="ClassName">The <c>architectures</c> entry of its causal language model.</param>
/// <param name="QkvBiasDefault">Whether q/k/v have biases when the config says nothing (<c>attention_bias</c>).</param>
/// <param name="OutputBiasFollowsAttentionBias">Whether <c>o_proj</c> has a bias exactly when q/k/v do (Llama, Qwen3); otherwise it has none (Qwen2).</param>
/// <param name="QkNorm">Whether each query and key head is RMS-normalized before the rotary embedding.</param>
/// <param name="DefaultHeadDim">The <c>head_dim</c> of a config that gives none, or null for hidden size / heads.</param>
/// <param name="Window">How a sliding window is turned on.</param>
/// <param name="Keys">The <c>config.json</c> keys that architecture's config class reads, beyond those every one reads.</param>
internal sealed record DecoderArchitecture(string ModelType, string ClassName, bool QkvBiasDefault, bool OutputBiasFollowsAttentionBias, bool QkNorm,
    int? DefaultHeadDim, SlidingWindowRule Window, IReadOnlySet<string> Keys)
{
    private static readonly IReadOnlySet<string> QwenKeys =
        new HashSet<string>(StringComparer.Ordinal) { "use_sliding_window", "sliding_window", "max_window_layers", "layer_types" };

    /// <summary>Qwen2 and Qwen2.5: q/k/v biases, no other bias; a window only with <c>use_sliding_window</c>, from <c>max_window_layers</c> on.</summary>
    public static readonly DecoderArchitecture Qwen2 = new("qwen2", "Qwen2ForCausalLM", true, false, false, null, SlidingWindowRule.QwenStyle, QwenKeys);

    /// <summary>Qwen3: per-head q/k RMSNorm, <c>head_dim</c> 128 unless given, biases only with <c>attention_bias</c>.</summary>
    public static readonly DecoderArchitecture Qwen3 = new("qwen3", "Qwen3ForCausalLM", false, true, true, 128, SlidingWindowRule.QwenStyle, QwenKeys);

    /// <summary>Llama (2, 3, 3.1, 3.2): biases only with <c>attention_bias</c> / <c>mlp_bias</c>; no sliding window.</summary>
    public static readonly DecoderArchitecture Llama = new("llama", "LlamaForCausalLM", false, true, false, null, SlidingWindowRule.None,
        new HashSet<string>(StringComparer.Ordinal) { "mlp_bias", "pretraining_tp" });

    /// <summary>Mistral: no biases; <c>sliding_window</c> on every layer unless null (4096 when the key is missing, as transformers defaults).</summary>
    public static readonly DecoderArchitecture Mistral = new("mistral", "MistralForCausalLM", false, true, false, null, SlidingWindowRule.EveryLayer,
        new HashSet<string>(StringComparer.Ordinal) { "sliding_window" });

    /// <summary>Every architecture this backend implements.</summary>
    public static IReadOnlyList<DecoderArchitecture> All { get; } = [Qwen2, Qwen3, Llama, Mistral];

    /// <summary>The architecture of a <c>model_type</c>, or null.</summary>
    public static DecoderArchitecture? ByModelType(string? modelType) => All.FirstOrDefault(a => a.ModelType == modelType);

    /// <summary>The architecture of an <c>architectures</c> entry, or null.</summary>
    public static DecoderArchitecture? ByClassName(string? className) => All.FirstOrDefault(a => a.ClassName == className);

    /// <summary>The names a refusal lists.</summary>
    public static string Supported => string.Join(", ", All.Select(a => $"{a.ClassName} ({a.ModelType})"));
}

/// <summary>How a config turns sliding-window attention on.</summary>
internal enum SlidingWindowRule
{
    /// <summary>The architecture has none.</summary>
    None,

    /// <summary><c>use_sliding_window</c> turns <c>sliding_window</c> on for layers at or beyond <c>max_window_layers</c> (or as <c>layer_types</c> says).</summary>
    QwenStyle,

    /// <summary><c>sliding_window</c> applies to every layer unless it is null.</summary>
    EveryLayer,
}
