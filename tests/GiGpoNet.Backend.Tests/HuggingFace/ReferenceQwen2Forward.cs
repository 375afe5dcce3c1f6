using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tests.HuggingFace;

/// <summary>
/// A plain-array transcription of transformers' decoder forward (modeling_qwen2/qwen3/llama/mistral.py and modeling_rope_utils.py) in
/// double precision, for one sequence without padding: embedding; per layer RMSNorm → q/k/v (with the architecture's biases) → Qwen3's
/// per-head RMSNorm of q and k → rotate-half RoPE (inverse frequencies as the rope_scaling type computes them, cos and sin times the
/// attention factor) → grouped-query causal attention (within the sliding window where the layer has one) → o_proj, residual;
/// RMSNorm → down(silu(gate) · up), residual; final RMSNorm; lm_head (the embedding when tied).
/// </summary>
internal static class ReferenceQwen2Forward
{
    public static double[][] Logits(ForeignCheckpoint c, IReadOnlyList<int> tokens)
    {
        var t = tokens.Count;
        var (inverse, attentionFactor) = RopeFrequencies(c, t);
        var x = tokens.Select(id => Row(c, "model.embed_tokens.weight", id)).ToArray();
        for (var l = 0; l < c.Layers; l++)
        {
            var p = $"model.layers.{l}.";
            var normed = x.Select(v => RmsNorm(v, c.Weights[p + "input_layernorm.weight"].Values, c.RmsEps)).ToArray();
            var q = normed.Select(v => Linear(c, p + "self_attn.q_proj", v)).ToArray();
            var k = normed.Select(v => Linear(c, p + "self_attn.k_proj", v)).ToArray();
            var vv = normed.Select(v => Linear(c, p + "self_attn.v_proj", v)).ToArray();
            if (c.QkNorm)
            {
                q = [.. q.Select(v => PerHeadNorm(v, c.Heads, c.HeadDim, c.Weights[p + "self_attn.q_norm.weight"].Values, c.RmsEps))];
                k = [.. k.Select(v => PerHeadNorm(v, c.KvHeads, c.HeadDim, c.Weights[p + "self_attn.k_norm.weight"].Values, c.RmsEps))];
            }
            for (var pos = 0; pos < t; pos++)
            {
                Rope(q[pos], c.Heads, c.HeadDim, pos, inverse, attentionFactor);
                Rope(k[pos], c.KvHeads, c.HeadDim, pos, inverse, attentionFactor);
            }
            var attended = new double[t][];
            var group = c.Heads / c.KvHeads;
            var first = (int pos) => c.Windowed(l) ? Math.Max(0, pos - c.SlidingWindow!.Value + 1) : 0; // kv_idx > q_idx - window
            for (var pos = 0; pos < t; pos++)
            {
                attended[pos] = new double[c.Heads * c.HeadDim];
                for (var h = 0; h < c.Heads; h++)
                {
                    var kv = h / group;
                    var from = first(pos);
                    var scores = new double[pos + 1 - from];
                    for (var s = from; s <= pos; s++)
                    {
                        double dot = 0;
                        for (var d = 0; d < c.HeadDim; d++) dot += q[pos][h * c.HeadDim + d] * k[s][kv * c.HeadDim + d];
                        scores[s - from] = dot / Math.Sqrt(c.HeadDim);
                    }
                    var max = scores.Max();
                    var weights = scores.Select(v => Math.Exp(v - max)).ToArray();
                    var sum = weights.Sum();
                    for (var s = from; s <= pos; s++)
                    for (var d = 0; d < c.HeadDim; d++)
                        attended[pos][h * c.HeadDim + d] += weights[s - from] / sum * vv[s][kv * c.HeadDim + d];
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

    /// <summary>
    /// modeling_rope_utils: the default θ^(−2i/d); linear divides by the factor; dynamic NTK raises the base once the sequence is longer
    /// than max_position_embeddings; yarn blends interpolated and extrapolated frequencies over a ramp of dimensions and scales cos/sin;
    /// llama3 divides long wavelengths by the factor and smooths the band between.
    /// </summary>
    private static (double[] Inverse, double AttentionFactor) RopeFrequencies(ForeignCheckpoint c, int sequenceLength)
    {
        var dim = c.HeadDim;
        double[] Default(double theta) => [.. Enumerable.Range(0, dim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / dim))];
        if (c.RopeScaling is null) return (Default(c.RopeTheta), 1);
        var scaling = JsonNode.Parse(c.RopeScaling.ToJsonString())!.AsObject(); // as read from config.json
        var type = (scaling["rope_type"] ?? scaling["type"])!.GetValue<string>();
        var factor = scaling["factor"]!.GetValue<double>();
        double? Get(string key) => scaling[key] is JsonValue value ? value.GetValue<double>() : null;
        switch (type)
        {
            case "linear":
                return ([.. Default(c.RopeTheta).Select(f => f / factor)], 1);
            case "dynamic":
            {
                var seq = Math.Max(sequenceLength, c.MaxPositions);
                var theta = c.RopeTheta * Math.Pow(factor * seq / c.MaxPositions - (factor - 1), dim / (dim - 2.0));
                return (Default(theta), 1);
            }
            case "yarn":
            {
                var original = Get("original_max_position_embeddings") ?? c.MaxPositions;
                double MScale(double scale, double m = 1) => scale <= 1 ? 1.0 : 0.1 * m * Math.Log(scale) + 1.0;
                var attention = Get("attention_factor") ?? (Get("mscale") is { } ms && Get("mscale_all_dim") is { } all && ms != 0 && all != 0
                    ? MScale(factor, ms) / MScale(factor, all) : MScale(factor));
                var betaFast = Get("beta_fast") ?? 32;
                var betaSlow = Get("beta_slow") ?? 1;
                double CorrectionDim(double rotations) => dim * Math.Log(original / (rotations * 2 * Math.PI)) / (2 * Math.Log(c.RopeTheta));
                var truncate = scaling["truncate"] is not JsonValue tr || tr.GetValue<bool>();
                var low = CorrectionDim(betaFast);
                var high = CorrectionDim(betaSlow);
                if (truncate)
                {
                    low = Math.Floor(low);
                    high = Math.Ceiling(high);
                }
                low = Math.Max(low, 0);
                high = Math.Min(high, dim - 1);
                if (low == high) high += 0.001;
                var inverse = new double[dim / 2];
                for (var i = 0; i < dim / 2; i++)
                {
                    var posFreq = Math.Pow(c.RopeTheta, 2.0 * i / dim);
                    var ramp = Math.Min(1, Math.Max(0, (i - low) / (high - low)));
                    var extrapolationFactor = 1 - ramp;
                    inverse[i] = 1.0 / (factor * posFreq) * (1 - extrapolationFactor) + 1.0 / posFreq * extrapolationFactor;
                }
                return (inverse, attention);
            }
            case "llama3":
            {
                var lowFactor = Get("low_freq_factor")!.Value;
                var highFactor = Get("high_freq_factor")!.Value;
                var old = Get("original_max_position_embeddings")!.Value;
                var inverse = Default(c.RopeTheta).Select(f =>
                {
                    var wavelength = 2 * Math.PI / f;
                    var scaled = wavelength > old / lowFactor ? f / factor : f;
                    var smooth = (old / wavelength - lowFactor) / (highFactor - lowFactor);
                    var medium = !(wavelength < old / highFactor) && !(wavelength > old / lowFactor);
                    return medium ? (1 - smooth) * scaled / factor + smooth * scaled : scaled;
                });
                return ([.. inverse], 1);
            }
            default:
                throw new ArgumentException($"rope type {type}");
        }
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

    private static double[] PerHeadNorm(double[] v, int heads, int headDim, float[] weight, double eps) =>
        [.. Enumerable.Range(0, heads).SelectMany(h => RmsNorm(v[(h * headDim)..((h + 1) * headDim)], weight, eps))];

    /// <summary>transformers' rotate-half: (x1, x2) → (x1·cos − x2·sin, x2·cos + x1·sin), cos and sin times the attention factor.</summary>
    private static void Rope(double[] v, int heads, int headDim, int position, double[] inverse, double attentionFactor)
    {
        var half = headDim / 2;
        for (var h = 0; h < heads; h++)
        for (var i = 0; i < half; i++)
        {
            var angle = position * inverse[i];
            var (cos, sin) = (Math.Cos(angle) * attentionFactor, Math.Sin(angle) * attentionFactor);
            var (a, b) = (v[h * headDim + i], v[h * headDim + half + i]);
            v[h * headDim + i] = a * cos - b * sin;
            v[h * headDim + half + i] = b * cos + a * sin;
        }
    }

    private static double Dot(double[] a, double[] b) => a.Select((x, i) => x * b[i]).Sum();

    private static double[] Add(double[] a, double[] b) => [.. a.Select((x, i) => x + b[i])];
}
