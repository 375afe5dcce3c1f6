using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Lora;

/// <summary>
/// Where an adapter can be attached beside one of the model's projections. A plain class, not a module, so that the adapter is not
/// registered in the model: the model's state_dict keeps exactly the Hugging Face names, and the adapter is saved in PEFT's file.
/// </summary>
internal sealed class LoraSlot
{
    public LoraAdapter? Adapter { get; set; }

    /// <summary>base(x), plus the adapter's update when one is attached.</summary>
    [RequiresDisposeScope]
    public Tensor Project(Linear projection, Tensor x)
    {
        var y = projection.forward(x);
        return Adapter is { } adapter ? y.add(adapter.Forward(x, projection.training), Model.HeldScalars.One) : y;
    }
}
