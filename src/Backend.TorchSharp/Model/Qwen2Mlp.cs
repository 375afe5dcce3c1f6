using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Model;

/// <summary>SwiGLU: down(silu(gate(x)) · up(x)).</summary>
internal sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear _gate;
    private readonly Linear _up;
    private readonly Linear _down;

    /// <summary>Creates the MLP.</summary>
    public Qwen2Mlp(Qwen2Config config) : base(nameof(Qwen2Mlp))
    {
        _gate = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        _up = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: false);
        _down = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: false);
        register_module("gate_proj", _gate);
        register_module("up_proj", _up);
        register_module("down_proj", _down);
    }

    /// <inheritdoc />
    [RequiresDisposeScope]
    public override Tensor forward(Tensor x) => _down.forward(F.silu(_gate.forward(x)) * _up.forward(x));
}
