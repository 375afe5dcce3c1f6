using TorchSharp.Utils;
using GiGpoNet.Backend.Lora;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Model;

/// <summary>SwiGLU: down(silu(gate(x)) · up(x)), with biases where the config has them (Llama's <c>mlp_bias</c>).</summary>
internal sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "gate_proj")]
    private readonly Linear _gate;
    [ComponentName(Name = "up_proj")]
    private readonly Linear _up;
    [ComponentName(Name = "down_proj")]
    private readonly Linear _down;
    private readonly LoraSlot[] _slots = [new(), new(), new()];

    /// <summary>Creates the MLP.</summary>
    public Qwen2Mlp(Qwen2Config config) : base(nameof(Qwen2Mlp))
    {
        _gate = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        _up = nn.Linear(config.HiddenSize, config.IntermediateSize, hasBias: config.MlpBias);
        _down = nn.Linear(config.IntermediateSize, config.HiddenSize, hasBias: config.MlpBias);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <inheritdoc />
    [RequiresDisposeScope]
    public override Tensor forward(Tensor x) => _slots[2].Project(_down, F.silu(_slots[0].Project(_gate, x)) * _slots[1].Project(_up, x));

    /// <summary>The projections by Hugging Face name, each with the slot an adapter can be attached to.</summary>
    public IEnumerable<(string Name, Linear Projection, LoraSlot Slot)> Projections() =>
        [("gate_proj", _gate, _slots[0]), ("up_proj", _up, _slots[1]), ("down_proj", _down, _slots[2])];
}
