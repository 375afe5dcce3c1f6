using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>One pre-norm decoder layer: x + attn(norm(x)), then + mlp(norm(·)).</summary>
internal sealed class Qwen2DecoderLayer : nn.Module
{
    private readonly Qwen2Attention _attention;
    private readonly Qwen2Mlp _mlp;
    private readonly RmsNorm _inputNorm;
    private readonly RmsNorm _postAttentionNorm;

    /// <summary>Creates the layer.</summary>
    public Qwen2DecoderLayer(Qwen2Config config) : base(nameof(Qwen2DecoderLayer))
    {
        _attention = new Qwen2Attention(config);
        _mlp = new Qwen2Mlp(config);
        _inputNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        _postAttentionNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        register_module("self_attn", _attention);
        register_module("mlp", _mlp);
        register_module("input_layernorm", _inputNorm);
        register_module("post_attention_layernorm", _postAttentionNorm);
    }

    /// <summary>Runs the layer.</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, KvCache? cache, int layer)
    {
        var h = x.add(_attention.Forward(_inputNorm.forward(x), cos, sin, mask, cache, layer), HeldScalars.One);
        return h.add(_mlp.forward(_postAttentionNorm.forward(h)), HeldScalars.One);
    }
}
