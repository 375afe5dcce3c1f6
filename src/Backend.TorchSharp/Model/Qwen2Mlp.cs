using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Model;

/// <summary>SwiGLU: down(silu(gate(x)) · up(x)).</summary>
internal sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")]
    private readonly Linear _gate;
    [ComponentName(Name = "up_proj")]
    private readonly Linear _up;
    [ComponentName(Name = "down_proj")]
    private readonly Linear _down;

    /// <summary>Creates the MLP.</summary>
    public Qwen2Mlp(Qwen2Config config) : base(nameof(Qwen2Mlp))
    {
        _gate = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        _up = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        _down = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <inheritdoc />
    [RequiresDisposeScope]
    public override Tensor forward(Tensor x) => _down.forward(F.silu(_gate.forward(x)) * _up.forward(x));
}
