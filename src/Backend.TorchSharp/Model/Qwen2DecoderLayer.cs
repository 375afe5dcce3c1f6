using TorchSharp.Utils;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>One pre-norm decoder layer: x + attn(norm(x)), then + mlp(norm(·)).</summary>
internal sealed class Qwen2DecoderLayer : nn.Module
{
    [ComponentName(Name = "self_attn")]
    private readonly Qwen2Attention _attention;
    [ComponentName(Name = "mlp")]
    private readonly Qwen2Mlp _mlp;
    [ComponentName(Name = "input_layernorm")]
    private readonly RmsNorm _inputNorm;
    [ComponentName(Name = "post_attention_layernorm")]
    private readonly RmsNorm _postAttentionNorm;

    /// <summary>Creates the layer.</summary>
    public Qwen2DecoderLayer(Qwen2Config config) : base(nameof(Qwen2DecoderLayer))
    {
        _attention = new Qwen2Attention(config);
        _mlp = new Qwen2Mlp(config);
        _inputNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        _postAttentionNorm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <summary>The attention and MLP projections by their names inside the layer (<c>self_attn.q_proj</c>, <c>mlp.up_proj</c>, ...).</summary>
    public IEnumerable<(string Name, TorchSharp.Modules.Linear Projection, Lora.LoraSlot Slot)> Projections() =>
        _attention.Projections().Select(p => ("self_attn." + p.Name, p.Projection, p.Slot))
            .Concat(_mlp.Projections().Select(p => ("mlp." + p.Name, p.Projection, p.Slot)));

    /// <summary>The tensors training changes: the layer's weights that require gradients and its attached adapters' A and B.</summary>
    public IReadOnlyList<TorchSharp.Modules.Parameter> TrainableParameters() =>
    [
        .. parameters().Where(p => p.requires_grad),
        .. Projections().Select(p => p.Slot.Adapter).OfType<Lora.LoraAdapter>().SelectMany(a => new[] { a.A, a.B }).Where(p => p.requires_grad),
    ];

    /// <summary>Runs the layer.</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor mask, KvCache? cache, int layer)
    {
        var h = x.add(_attention.Forward(_inputNorm.forward(x), cos, sin, mask, cache, layer), HeldScalars.One);
        return h.add(_mlp.forward(_postAttentionNorm.forward(h)), HeldScalars.One);
    }
}
