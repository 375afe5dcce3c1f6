using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>Root-mean-square layer norm (TorchSharp 0.107 has none): x · rsqrt(mean(x²) + ε) · weight, computed in float32.</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "weight")]
    private readonly Parameter _weight;
    private readonly double _eps;

    /// <summary>Creates the norm over <paramref name="size"/> features.</summary>
    public RmsNorm(long size, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        using var initial = ones(size); // the parameter takes over its storage
        _weight = nn.Parameter(initial);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        using var eps = _eps.ToScalar(); // held until the call returns (see HeldScalars)
        var input = x.to_type(ScalarType.Float32);
        var normed = input * rsqrt(input.pow(HeldScalars.Two).mean([-1L], keepdim: true).add(eps, HeldScalars.One));
        return (_weight * normed.to_type(x.dtype)).MoveToOuterDisposeScope();
    }
}
