using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// A critic for PPO: the same transformer body with a scalar value head (<c>score</c>, as Hugging Face's token-classification heads are
/// named) instead of the language-model head.
/// </summary>
public sealed class Qwen2ForValue : nn.Module
{
    [ComponentName(Name = "model")]
    private readonly Qwen2Model _model;
    [ComponentName(Name = "score")]
    private readonly Linear _score;

    /// <summary>Creates the critic with freshly initialized weights.</summary>
    public Qwen2ForValue(Qwen2Config config) : base(nameof(Qwen2ForValue))
    {
        _model = new Qwen2Model(config);
        _score = nn.Linear(config.HiddenSize, 1, hasBias: false);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <summary>The architecture.</summary>
    public Qwen2Config Config => _model.Config;

    /// <summary>The transformer body.</summary>
    public Qwen2Model Body => _model;

    /// <summary>Float32 values [B, T]: the value head at every position.</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor inputIds, Tensor attentionMask) =>
        _score.forward(_model.Forward(inputIds, attentionMask)).squeeze(-1).to_type(ScalarType.Float32);
}
