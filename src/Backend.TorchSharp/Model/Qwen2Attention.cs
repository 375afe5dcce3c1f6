using TorchSharp.Utils;
using GiGpoNet.Backend.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// Grouped-query self-attention with rotary embeddings; biases where the config has them, and Qwen3's per-head RMSNorm of queries and
/// keys before the rotation.
/// </summary>
internal sealed class Qwen2Attention : nn.Module
{
    [ComponentName(Name = "q_proj")]
    private readonly Linear _q;
    [ComponentName(Name = "k_proj")]
    private readonly Linear _k;
    [ComponentName(Name = "v_proj")]
    private readonly Linear _v;
    [ComponentName(Name = "o_proj")]
    private readonly Linear _o;
    [ComponentName(Name = "q_norm")]
    private readonly RmsNorm? _qNorm;
    [ComponentName(Name = "k_norm")]
    private readonly RmsNorm? _kNorm;
    private readonly LoraSlot[] _slots = [new(), new(), new(), new()];
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;

    /// <summary>Creates the attention block.</summary>
    public Qwen2Attention(Qwen2Config config) : base(nameof(Qwen2Attention))
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _q = nn.Linear(config.HiddenSize, _heads * _headDim, hasBias: config.AttentionBias);
        _k = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        _v = nn.Linear(config.HiddenSize, _kvHeads * _headDim, hasBias: config.AttentionBias);
        _o = nn.Linear(_heads * _headDim, config.HiddenSize, hasBias: config.OutputBias);
        if (config.QkNorm)
        {
            _qNorm = new RmsNorm(_headDim, config.RmsNormEps);
            _kNorm = new RmsNorm(_headDim, config.RmsNormEps);
        }
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <summary>The projections by Hugging Face name, each with the slot an adapter can be attached to.</summary>
    public IEnumerable<(string Name, Linear Projection, LoraSlot Slot)> Projections() =>
        [("q_proj", _q, _slots[0]), ("k_proj", _k, _slots[1]), ("v_proj", _v, _slots[2]), ("o_proj", _o, _slots[3])];

    /// <summary>Attends [B, T, hidden] inputs over the cache prefix (if any) and themselves, under an additive mask [B, 1, T, S].</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, KvCache? cache, int layer)
    {
        var (b, t) = (x.shape[0], x.shape[1]);
        var q = _slots[0].Project(_q, x).view(b, t, _heads, _headDim);
        var k = _slots[1].Project(_k, x).view(b, t, _kvHeads, _headDim);
        if (_qNorm is not null) (q, k) = (_qNorm.forward(q), _kNorm!.forward(k));
        (q, k) = (q.transpose(1, 2), k.transpose(1, 2));
        var v = _slots[2].Project(_v, x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null) (k, v) = cache.Append(layer, k, v);
        if (_kvHeads != _heads)
        {
            k = k.repeat_interleave(_heads / _kvHeads, dim: 1);
            v = v.repeat_interleave(_heads / _kvHeads, dim: 1);
        }
        var attended = F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
        return _slots[3].Project(_o, attended.transpose(1, 2).reshape(b, t, _heads * _headDim));
    }
}
