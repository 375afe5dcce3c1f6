namespace GiGpoNet.Backend.Tests.HuggingFace;

/// <summary>
/// A plain-array transcription of transformers' Qwen2 forward (modeling_qwen2.py) in double precision, for one sequence without
/// padding: embedding; per layer RMSNorm → q/k/v with biases → rotate-half RoPE → grouped-query causal attention → o_proj, residual;
/// RMSNorm → down(silu(gate) · up), residual; final RMSNorm; lm_head (the embedding when tied).
/// </summary>
internal static class ReferenceQwen2Forward
{
    public static double[][] Logits(ForeignCheckpoint c, IReadOnlyList<int> tokens)
    {
        var t = tokens.Count;
        var x = tokens.Select(id => Row(c, "model.embed_tokens.weight", id)).ToArray();
        for (var l = 0; l < c.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            var normed = x.Select(v => RmsNorm(v, c.Weights[p + "input_layernorm.weight"].Values, c.RmsEps)).ToArray();
            var q = normed.Select(v => Linear(c, p + "self_attn.q_proj", v)).ToArray();
            var k = normed.Select(v => Linear(c, p + "self_attn.k_proj", v)).ToArray();
            var vv = normed.Select(v => Linear(c, p + "self_attn.v_proj", v)).ToArray();
            for (var pos = 0; pos < t; pos++)
            {
                Rope(q[pos], c.Heads, c.HeadDim, pos, c.RopeTheta);
                Rope(k[pos], c.KvHeads, c.HeadDim, pos, c.RopeTheta);
            }
            var attended = new double[t][];
            var group = c.Heads / c.KvHeads;
            for (var pos = 0; pos < t; pos++)
            {
                attended[pos] = new double[c.Heads * c.HeadDim];
                for (var h = 0; h < c.Heads; h++)
                {
                    var kv = h / group;
                    var scores = new double[pos + 1];
                    for (var s = 0; s <= pos; s++)
                    {
                        double dot = 0;
                        for (var d = 0; d < c.HeadDim; d++) dot += q[pos][h * c.HeadDim + d] * k[s][kv * c.HeadDim + d];
                        scores[s] = dot / Math.Sqrt(c.HeadDim);
                    }
                    var max = scores.Max();
                    var weights = scores.Select(v => Math.Exp(v - max)).ToArray();
                    var sum = weights.Sum();
                    for (var s = 0; s <= pos; s++)
                    for (var d = 0; d < c.HeadDim; d++)
                        attended[pos][h * c.HeadDim + d] += weights[s] / sum * vv[s][kv * c.HeadDim + d];
                }
            }
            x = [.. x.Select((v, pos) => Add(v, Linear(c, p + "self_attn.o_proj", attended[pos])))];
            var post = x.Select(v => RmsNorm(v, c.Weights[p + "post_attention_layernorm.weight"].Values, c.RmsEps)).ToArray();
            x = [.. x.Select((v, pos) =>
            {
                var gate = Linear(c, p + "mlp.gate_proj", post[pos]);
                var up = Linear(c, p + "mlp.up_proj", post[pos]);
                var hidden = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                return Add(v, Linear(c, p + "mlp.down_proj", hidden));
            })];
        }
        var head = c.Tied ? "model.embed_tokens.weight" : "lm_head.weight";
        return [.. x.Select(v => RmsNorm(v, c.Weights["model.norm.weight"].Values, c.RmsEps))
            .Select(v => Enumerable.Range(0, c.Vocab).Select(token => Dot(Row(c, head, token), v)).ToArray())];
    }

    private static double[] Row(ForeignCheckpoint c, string name, int row)
    {
        var (shape, values) = c.Weights[name];
        var width = (int)shape[1];
        return [.. values.Skip(row * width).Take(width).Select(v => (double)v)];
    }

    private static double[] Linear(ForeignCheckpoint c, string prefix, double[] input)
    {
        var rows = (int)c.Weights[prefix + ".weight"].Shape[0];
        var bias = c.Weights.TryGetValue(prefix + ".bias", out var b) ? b.Values : null;
        return [.. Enumerable.Range(0, rows).Select(r => Dot(Row(c, prefix + ".weight", r), input) + (bias?[r] ?? 0))];
    }

    private static double[] RmsNorm(double[] v, float[] weight, double eps)
    {
        var scale = 1 / Math.Sqrt(v.Average(x => x * x) + eps);
        return [.. v.Select((x, i) => x * scale * weight[i])];
    }

    /// <summary>transformers' rotate-half: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin), frequencies θ^(−2i/d).</summary>
    private static void Rope(double[] v, int heads, int headDim, int position, double theta)
    {
        var half = headDim / 2;
        for (var h = 0; h < heads; h++)
        for (var i = 0; i < half; i++)
        {
            var angle = position / Math.Pow(theta, 2.0 * i / headDim);
            var (a, b) = (v[h * headDim + i], v[h * headDim + half + i]);
            v[h * headDim + i] = a * Math.Cos(angle) - b * Math.Sin(angle);
            v[h * headDim + half + i] = b * Math.Cos(angle) + a * Math.Sin(angle);
        }
    }

    private static double Dot(double[] a, double[] b) => a.Select((x, i) => x * b[i]).Sum();

    private static double[] Add(double[] a, double[] b) => [.. a.Select((x, i) => x + b[i])];
}
