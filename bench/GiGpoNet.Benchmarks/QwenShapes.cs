using GiGpoNet.Backend.Model;

namespace GiGpoNet.Benchmarks;

/// <summary>Model shapes the benchmarks measure: Qwen2.5's published ones (their config.json files) and a tiny one for smoke runs.</summary>
internal static class QwenShapes
{
    /// <summary>Qwen2.5-0.5B: 24 layers, hidden 896, 14 heads (2 KV), vocabulary 151,936, tied embeddings.</summary>
    public static Qwen2Config Qwen25_05B => Shape(24, 896, 4864, 14, 2, 151_936, tied: true);

    /// <summary>Qwen2.5-1.5B.</summary>
    public static Qwen2Config Qwen25_15B => Shape(28, 1536, 8960, 12, 2, 151_936, tied: true);

    /// <summary>Qwen2.5-7B.</summary>
    public static Qwen2Config Qwen25_7B => Shape(28, 3584, 18944, 28, 4, 152_064, tied: false);

    /// <summary>Two layers, hidden 64, vocabulary 1,024: the same code paths in seconds on a CPU.</summary>
    public static Qwen2Config Tiny => Shape(2, 64, 128, 4, 2, 1024, tied: true);

    /// <summary>The shape named on a command line (<c>qwen2.5-0.5b</c>, <c>qwen2.5-1.5b</c>, <c>qwen2.5-7b</c>, <c>tiny</c>).</summary>
    public static Qwen2Config ByName(string name) => name.ToLowerInvariant() switch
    {
        "qwen2.5-0.5b" => Qwen25_05B,
        "qwen2.5-1.5b" => Qwen25_15B,
        "qwen2.5-7b" => Qwen25_7B,
        "tiny" => Tiny,
        _ => throw new ArgumentException($"--shape '{name}' is not one of qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-7b, tiny."),
    };

    /// <summary>Parameter count: embeddings (twice when untied), attention with q/k/v biases, the gated MLP, two norms a layer, the final norm.</summary>
    public static long Parameters(Qwen2Config c)
    {
        long h = c.HiddenSize, kv = (long)c.NumKeyValueHeads * c.HeadDim, q = (long)c.NumAttentionHeads * c.HeadDim;
        var layer = h * q + q + 2 * (h * kv + kv) + q * h + 3 * h * c.IntermediateSize + 2 * h;
        return c.VocabSize * h * (c.TieWordEmbeddings ? 1 : 2) + c.NumHiddenLayers * layer + h;
    }

    private static Qwen2Config Shape(int layers, int hidden, int intermediate, int heads, int kvHeads, int vocab, bool tied) => new()
    {
        VocabSize = vocab, HiddenSize = hidden, IntermediateSize = intermediate, NumHiddenLayers = layers, NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads, TieWordEmbeddings = tied, RopeTheta = 1_000_000, MaxPositionEmbeddings = 32_768,
    };
}
