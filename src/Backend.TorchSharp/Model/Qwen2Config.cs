using System.Text.Json;
using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// The architecture of a decoder-only transformer of the Qwen2 / Llama family, read from and written to a Hugging Face
/// <c>config.json</c>: RMSNorm, rotary embeddings with base θ, grouped-query attention, SwiGLU MLP, optional tied embeddings, and
/// q/k/v biases (Qwen2 has them; Llama does not).
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
    public int HeadDim => ExplicitHeadDim ?? HiddenSize / NumAttentionHeads;

    /// <summary>A <c>head_dim</c> given explicitly by the config.</summary>
    public int? ExplicitHeadDim { get; init; }

    /// <summary>RMSNorm ε. Default 1e-6.</summary>
    public double RmsNormEps { get; init; } = 1e-6;

    /// <summary>Rotary base θ. Default 10000 (Qwen2.5 uses 1,000,000).</summary>
    public double RopeTheta { get; init; } = 10_000;

    /// <summary>Whether the output projection shares the embedding matrix.</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether q, k and v projections have biases (Qwen2: true; Llama: false).</summary>
    public bool AttentionBias { get; init; } = true;

    /// <summary>Longest sequence the model is meant for.</summary>
    public int MaxPositionEmbeddings { get; init; } = 32_768;

    /// <summary>The <c>model_type</c> written back (<c>qwen2</c> or <c>llama</c>).</summary>
    public string ModelType { get; init; } = "qwen2";

    /// <summary>Reads <c>config.json</c>.</summary>
    /// <exception cref="GiGpoNetConfigurationException">A required field is missing or the file is not a decoder config.</exception>
    public static Qwen2Config Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model config at '{path}'; a Hugging Face model folder has a config.json.", path);
        var root = JsonNode.Parse(File.ReadAllText(path))?.AsObject()
                   ?? throw new GiGpoNetConfigurationException($"'{path}' is not a JSON object.");
        int Required(string key) => root[key]?.GetValue<int>()
            ?? throw new GiGpoNetConfigurationException($"'{path}' has no '{key}'; it is not a decoder-only transformer config.");
        var modelType = root["model_type"]?.GetValue<string>() ?? "qwen2";
        var heads = Required("num_attention_heads");
        return new Qwen2Config
        {
            VocabSize = Required("vocab_size"),
            HiddenSize = Required("hidden_size"),
            IntermediateSize = Required("intermediate_size"),
            NumHiddenLayers = Required("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = root["num_key_value_heads"]?.GetValue<int>() ?? heads,
            ExplicitHeadDim = root["head_dim"]?.GetValue<int>(),
            RmsNormEps = root["rms_norm_eps"]?.GetValue<double>() ?? 1e-6,
            RopeTheta = root["rope_theta"]?.GetValue<double>() ?? 10_000,
            TieWordEmbeddings = root["tie_word_embeddings"]?.GetValue<bool>() ?? false,
            AttentionBias = root["attention_bias"]?.GetValue<bool>() ?? modelType == "qwen2",
            MaxPositionEmbeddings = root["max_position_embeddings"]?.GetValue<int>() ?? 32_768,
            ModelType = modelType,
        };
    }

    /// <summary>Writes <c>config.json</c> in Hugging Face's format.</summary>
    public void Save(string path, string torchDtype = "float32")
    {
        var root = new JsonObject
        {
            ["architectures"] = new JsonArray(ModelType == "llama" ? "LlamaForCausalLM" : "Qwen2ForCausalLM"),
            ["model_type"] = ModelType,
            ["vocab_size"] = VocabSize,
            ["hidden_size"] = HiddenSize,
            ["intermediate_size"] = IntermediateSize,
            ["num_hidden_layers"] = NumHiddenLayers,
            ["num_attention_heads"] = NumAttentionHeads,
            ["num_key_value_heads"] = NumKeyValueHeads,
            ["rms_norm_eps"] = RmsNormEps,
            ["rope_theta"] = RopeTheta,
            ["tie_word_embeddings"] = TieWordEmbeddings,
            ["attention_bias"] = AttentionBias,
            ["max_position_embeddings"] = MaxPositionEmbeddings,
            ["hidden_act"] = "silu",
            ["torch_dtype"] = torchDtype,
        };
        if (ExplicitHeadDim is { } headDim) root["head_dim"] = headDim;
        File.WriteAllText(path, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Lists what is inconsistent.</summary>
    public IEnumerable<string> Validate()
    {
        if (VocabSize < 2) yield return $"vocab_size = {VocabSize} must be at least 2.";
        if (NumAttentionHeads < 1 || NumKeyValueHeads < 1 || NumAttentionHeads % NumKeyValueHeads != 0)
            yield return $"num_attention_heads = {NumAttentionHeads} must be a positive multiple of num_key_value_heads = {NumKeyValueHeads}.";
        if (ExplicitHeadDim is null && HiddenSize % Math.Max(1, NumAttentionHeads) != 0)
            yield return $"hidden_size = {HiddenSize} must be divisible by num_attention_heads = {NumAttentionHeads}.";
        if (HeadDim % 2 != 0) yield return $"head_dim = {HeadDim} must be even for rotary embeddings.";
        if (NumHiddenLayers < 1) yield return $"num_hidden_layers = {NumHiddenLayers} must be at least 1.";
    }
}
