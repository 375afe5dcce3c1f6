using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Lora;

/// <summary>
/// One low-rank adapter, PEFT's shapes and initialization: <c>lora_A</c> [rank, in] (Kaiming-uniform, as nn.Linear initializes),
/// <c>lora_B</c> [out, rank] (zeros, so a new adapter changes nothing); the update is B·A·dropout(x) · scaling (alpha / rank, or
/// alpha / √rank for rsLoRA).
/// </summary>
internal sealed class LoraAdapter : nn.Module
{
    [ComponentName(Name = "lora_A")]
    private readonly Linear _a;
    [ComponentName(Name = "lora_B")]
    private readonly Linear _b;
    private readonly double _scaling;
    private readonly double _dropout;

    public LoraAdapter(long inFeatures, long outFeatures, int rank, double scaling, double dropout) : base(nameof(LoraAdapter))
    {
        _a = nn.Linear(inFeatures, rank, hasBias: false);
        _b = nn.Linear(rank, outFeatures, hasBias: false);
        using (no_grad()) nn.init.zeros_(_b.weight!);
        _scaling = scaling;
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>The factor on B·A: alpha / rank, or alpha / √rank for rsLoRA.</summary>
    public double Scaling => _scaling;

    /// <summary>A's weight [rank, in].</summary>
    public Parameter A => _a.weight!;

    /// <summary>B's weight [out, rank].</summary>
    public Parameter B => _b.weight!;

    /// <summary>The update for input <paramref name="x"/>; dropout applies only while <paramref name="training"/> (the base model's mode).</summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor x, bool training)
    {
        using var scaling = _scaling.ToScalar();
        var input = _dropout > 0 && training ? F.dropout(x, _dropout, training: true) : x;
        return _b.forward(_a.forward(input)).mul(scaling);
    }

    /// <summary>The dense update alpha / rank · B·A [out, in] that merging adds to the base weight.</summary>
    [RequiresDisposeScope]
    public Tensor Delta()
    {
        using var scaling = _scaling.ToScalar();
        return B.matmul(A).mul(scaling);
    }
}
