using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// A decoder-only language model of the Qwen2 / Llama family with Hugging Face's parameter names (<c>model.layers.0.self_attn.q_proj.weight</c>,
/// <c>lm_head.weight</c>, ...), so that Hugging Face safetensors load without renaming and saved checkpoints load in transformers or vLLM.
/// </summary>
public sealed class Qwen2ForCausalLM : nn.Module
{
    [ComponentName(Name = "model")]
    private readonly Qwen2Model _model;
    [ComponentName(Name = "lm_head")]
    private readonly Linear? _lmHead;

    /// <summary>Creates the model with freshly initialized weights (seed with <c>torch.manual_seed</c> first for reproducibility).</summary>
    public Qwen2ForCausalLM(Qwen2Config config) : base(nameof(Qwen2ForCausalLM))
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0) throw new GiGpoNetConfigurationException("Invalid model config: " + string.Join(" ", problems));
        _model = new Qwen2Model(config);
        if (!config.TieWordEmbeddings) _lmHead = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <summary>The architecture.</summary>
    public Qwen2Config Config => _model.Config;

    /// <summary>The transformer body.</summary>
    public Qwen2Model Body => _model;

    /// <summary>Hidden states [B, T, hidden]; see <see cref="Qwen2Model.Forward"/>.</summary>
    [RequiresDisposeScope]
    public Tensor Hidden(Tensor inputIds, Tensor attentionMask, KvCache? cache = null) => _model.Forward(inputIds, attentionMask, cache);

    /// <summary>Projects hidden states to float32 logits over the vocabulary.</summary>
    [RequiresDisposeScope]
    public Tensor Logits(Tensor hidden) =>
        (_lmHead is not null ? _lmHead.forward(hidden) : hidden.matmul(_model.EmbeddingWeight.t())).to_type(ScalarType.Float32);

    /// <summary>Float32 logits [B, T, vocab] of <paramref name="inputIds"/>.</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor inputIds, Tensor attentionMask, KvCache? cache = null) => Logits(Hidden(inputIds, attentionMask, cache));
}
