using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>Rotary position embeddings, Hugging Face's rotate-half form: frequencies θ^(−2i/d), cos and sin computed per position.</summary>
internal sealed class RotaryEmbedding(int headDim, double theta)
{
    private readonly double[] _inverseFrequencies = [.. Enumerable.Range(0, headDim / 2).Select(i => 1.0 / Math.Pow(theta, 2.0 * i / headDim))];

    /// <summary>cos and sin for positions [B, T], shaped [B, 1, T, headDim].</summary>
    [RequiresDisposeScope]
    public (Tensor Cos, Tensor Sin) Compute(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var inverse = tensor(_inverseFrequencies, ScalarType.Float32, positions.device);
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * inverse; // [B, T, D/2]
        var embedding = cat([angles, angles], -1).unsqueeze(1); // [B, 1, T, D]
        return (embedding.cos().to_type(dtype).MoveToOuterDisposeScope(), embedding.sin().to_type(dtype).MoveToOuterDisposeScope());
    }

    /// <summary>x · cos + rotate_half(x) · sin.</summary>
    [RequiresDisposeScope]
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var rotated = cat([-x.narrow(-1, half, half), x.narrow(-1, 0, half)], -1);
        return (x * cos).add(rotated * sin, HeldScalars.One); // see HeldScalars
    }
}
