using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tests.HuggingFace;

/// <summary>
/// A Qwen2, Qwen3, Llama or Mistral checkpoint written the way transformers writes one, by code that shares nothing with the
/// project's: random weights as plain arrays under the Hugging Face names only, a config.json (with rope_scaling and sliding-window
/// fields when set), and safetensors files (an 8-byte little-endian header length, a JSON header, raw little-endian data) in F32 or
/// BF16, single or sharded with an index.
/// </summary>
internal sealed class ForeignCheckpoint
{
    /// <summary><c>qwen2</c>, <c>qwen3</c>, <c>llama</c> or <c>mistral</c>.</summary>
    public string ModelType { get; init; } = "qwen2";

    /// <summary>An explicit head_dim (Qwen3 and Llama allow one that is not hidden / heads).</summary>
    public int? ExplicitHeadDim { get; init; }

    /// <summary>Llama/Qwen3's attention_bias (q, k, v and o); Qwen2 always has q/k/v biases and no o bias.</summary>
    public bool AttentionBias { get; init; }

    /// <summary>Llama's mlp_bias.</summary>
    public bool MlpBias { get; init; }

    /// <summary>The rope_scaling object, or null.</summary>
    public JsonObject? RopeScaling { get; init; }

    /// <summary>The sliding window, or null for none.</summary>
    public int? SlidingWindow { get; init; }

    /// <summary>Qwen: the first layer that uses the window (max_window_layers).</summary>
    public int MaxWindowLayers { get; init; }

    /// <summary>max_position_embeddings.</summary>
    public int MaxPositions { get; init; } = 512;

    public bool QkvBias => ModelType == "qwen2" || AttentionBias;

    public bool OutputBias => ModelType is "qwen3" or "llama" && AttentionBias;

    public bool QkNorm => ModelType == "qwen3";

    /// <summary>Whether layer <paramref name="layer"/> attends through the sliding window.</summary>
    public bool Windowed(int layer) => SlidingWindow is not null && (ModelType == "mistral" || layer >= MaxWindowLayers);

    public required int Vocab { get; init; }
    public required int Hidden { get; init; }
    public required int Intermediate { get; init; }
    public required int Layers { get; init; }
    public required int Heads { get; init; }
    public required int KvHeads { get; init; }
    public required bool Tied { get; init; }
    public double RopeTheta { get; init; } = 10_000;
    public double RmsEps { get; init; } = 1e-6;

    public int HeadDim => ExplicitHeadDim ?? Hidden / Heads;

    /// <summary>The weights by Hugging Face name: shape and values (as stored, so bf16 weights are already rounded).</summary>
    public Dictionary<string, (long[] Shape, float[] Values)> Weights { get; } = new(StringComparer.Ordinal);

    /// <summary>The names transformers uses for this config, in its order.</summary>
    public IEnumerable<(string Name, long[] Shape)> Layout()
    {
        yield return ("model.embed_tokens.weight", [Vocab, Hidden]);
        for (var l = 0; l < Layers; l++)
        {
            var p = $"model.layers.{l}.";
            yield return (p + "self_attn.q_proj.weight", [Heads * HeadDim, Hidden]);
            if (QkvBias) yield return (p + "self_attn.q_proj.bias", [Heads * HeadDim]);
            yield return (p + "self_attn.k_proj.weight", [KvHeads * HeadDim, Hidden]);
            if (QkvBias) yield return (p + "self_attn.k_proj.bias", [KvHeads * HeadDim]);
            yield return (p + "self_attn.v_proj.weight", [KvHeads * HeadDim, Hidden]);
            if (QkvBias) yield return (p + "self_attn.v_proj.bias", [KvHeads * HeadDim]);
            yield return (p + "self_attn.o_proj.weight", [Hidden, Heads * HeadDim]);
            if (OutputBias) yield return (p + "self_attn.o_proj.bias", [Hidden]);
            if (QkNorm)
            {
                yield return (p + "self_attn.q_norm.weight", [HeadDim]);
                yield return (p + "self_attn.k_norm.weight", [HeadDim]);
            }
            yield return (p + "mlp.gate_proj.weight", [Intermediate, Hidden]);
            if (MlpBias) yield return (p + "mlp.gate_proj.bias", [Intermediate]);
            yield return (p + "mlp.up_proj.weight", [Intermediate, Hidden]);
            if (MlpBias) yield return (p + "mlp.up_proj.bias", [Intermediate]);
            yield return (p + "mlp.down_proj.weight", [Hidden, Intermediate]);
            if (MlpBias) yield return (p + "mlp.down_proj.bias", [Hidden]);
            yield return (p + "input_layernorm.weight", [Hidden]);
            yield return (p + "post_attention_layernorm.weight", [Hidden]);
        }
        yield return ("model.norm.weight", [Hidden]);
        if (!Tied) yield return ("lm_head.weight", [Vocab, Hidden]);
    }

    /// <summary>Draws every weight (norm weights around 1, the rest around 0) and rounds it to bf16 when <paramref name="bf16"/>.</summary>
    public ForeignCheckpoint Randomize(int seed, bool bf16)
    {
        var random = new Random(seed);
        foreach (var (name, shape) in Layout())
        {
            var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
            var norm = name.EndsWith("norm.weight", StringComparison.Ordinal);
            for (var i = 0; i < values.Length; i++)
            {
                var v = norm ? 1f + (float)(random.NextDouble() - 0.5) * 0.2f : (float)(random.NextDouble() * 2 - 1) * 0.3f;
                values[i] = bf16 ? FromBf16(ToBf16(v)) : v;
            }
            Weights[name] = (shape, values);
        }
        return this;
    }

    /// <summary>Writes config.json and the weights into <paramref name="folder"/>: one file, or <paramref name="shards"/> files and an index.</summary>
    public void Write(string folder, bool bf16, int shards = 1)
    {
        Directory.CreateDirectory(folder);
        var className = ModelType switch { "qwen2" => "Qwen2ForCausalLM", "qwen3" => "Qwen3ForCausalLM", "llama" => "LlamaForCausalLM", _ => "MistralForCausalLM" };
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(className), ["model_type"] = ModelType, ["vocab_size"] = Vocab, ["hidden_size"] = Hidden,
            ["intermediate_size"] = Intermediate, ["num_hidden_layers"] = Layers, ["num_attention_heads"] = Heads, ["num_key_value_heads"] = KvHeads,
            ["rms_norm_eps"] = RmsEps, ["rope_theta"] = RopeTheta, ["tie_word_embeddings"] = Tied, ["hidden_act"] = "silu",
            ["max_position_embeddings"] = MaxPositions, ["torch_dtype"] = bf16 ? "bfloat16" : "float32", ["transformers_version"] = "4.51.3",
            ["bos_token_id"] = 0, ["eos_token_id"] = 1, ["attention_dropout"] = 0.0, ["rope_scaling"] = RopeScaling?.DeepClone(),
        };
        if (ExplicitHeadDim is not null || ModelType == "qwen3") config["head_dim"] = HeadDim;
        if (ModelType is "qwen3" or "llama") config["attention_bias"] = AttentionBias;
        if (ModelType == "llama") config["mlp_bias"] = MlpBias;
        if (ModelType is "qwen2" or "qwen3")
        {
            config["use_sliding_window"] = SlidingWindow is not null;
            config["sliding_window"] = SlidingWindow ?? 4096;
            config["max_window_layers"] = MaxWindowLayers;
        }
        if (ModelType == "mistral") config["sliding_window"] = SlidingWindow;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        var names = Weights.Keys.ToList();
        if (shards == 1)
        {
            WriteFile(Path.Combine(folder, "model.safetensors"), names, bf16);
            return;
        }
        var map = new JsonObject();
        long total = 0;
        var perShard = (names.Count + shards - 1) / shards;
        for (var s = 0; s < shards; s++)
        {
            var file = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = names.Skip(s * perShard).Take(perShard).ToList();
            WriteFile(Path.Combine(folder, file), part, bf16);
            foreach (var name in part)
            {
                map[name] = file;
                total += Weights[name].Values.Length * (bf16 ? 2 : 4);
            }
        }
        var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = map };
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"), index.ToJsonString());
    }

    /// <summary>The tensor names in a safetensors file's header, read without the project's reader.</summary>
    public static List<string> HeaderNames(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, length))!.AsObject();
        return [.. header.Select(p => p.Key).Where(k => k != "__metadata__")];
    }

    private void WriteFile(string path, IReadOnlyList<string> names, bool bf16)
    {
        var header = new JsonObject { ["__metadata__"] = new JsonObject { ["format"] = "pt" } };
        long offset = 0;
        foreach (var name in names)
        {
            var (shape, values) = Weights[name];
            var size = values.Length * (bf16 ? 2L : 4L);
            header[name] = new JsonObject
            {
                ["dtype"] = bf16 ? "BF16" : "F32",
                ["shape"] = new JsonArray([.. shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + size),
            };
            offset += size;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8; // transformers pads the header with spaces to a multiple of 8
        using var stream = File.Create(path);
        Span<byte> eight = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(eight, (ulong)padded);
        stream.Write(eight);
        stream.Write(json);
        for (var i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        Span<byte> value = stackalloc byte[4];
        foreach (var name in names)
        foreach (var v in Weights[name].Values)
        {
            if (bf16) BinaryPrimitives.WriteUInt16LittleEndian(value, ToBf16(v));
            else BinaryPrimitives.WriteSingleLittleEndian(value, v);
            stream.Write(value[..(bf16 ? 2 : 4)]);
        }
    }

    /// <summary>Round to nearest even, as torch converts float32 to bfloat16.</summary>
    private static ushort ToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    private static float FromBf16(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
