using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// Rotary position embeddings, Hugging Face's rotate-half form: inverse frequencies θ^(−2i/d), or as the config's
/// <see cref="RopeScaling"/> stretches them, and cos and sin per position, times the scaling's attention factor.
/// </summary>
internal sealed class RotaryEmbedding
{
    private readonly Qwen2Config _config;
    private readonly double[] _inverseFrequencies;
    private readonly double _attentionFactor;

    public RotaryEmbedding(Qwen2Config config)
    {
        _config = config;
        (_inverseFrequencies, _attentionFactor) = RopeScaling.Frequencies(config.RopeScaling, config.HeadDim, config.RopeTheta, config.MaxPositionEmbeddings, 0);
    }

    /// <summary>cos and sin for positions [B, T], shaped [B, 1, T, headDim].</summary>
    [RequiresDisposeScope]
    public (Tensor Cos, Tensor Sin) Compute(Tensor positions, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var frequencies = _inverseFrequencies;
        if (_config.RopeScaling?.Type == "dynamic")
        {
            // NTK scaling follows the longest position of this forward pass, as transformers' dynamic update does within one generation.
            var length = positions.numel() == 0 ? 0 : positions.max().item<long>() + 1;
            frequencies = RopeScaling.Frequencies(_config.RopeScaling, _config.HeadDim, _config.RopeTheta, _config.MaxPositionEmbeddings, length).InverseFrequencies;
        }
        var inverse = tensor(frequencies, ScalarType.Float32, positions.device);
        var angles = positions.to_type(ScalarType.Float32).unsqueeze(-1) * inverse; // [B, T, D/2]
        var embedding = cat([angles, angles], -1).unsqueeze(1); // [B, 1, T, D]
        var (cos, sin) = (embedding.cos(), embedding.sin());
        if (_attentionFactor != 1)
        {
            using var factor = _attentionFactor.ToScalar(); // held until the calls return (see HeldScalars)
            (cos, sin) = (cos.mul(factor), sin.mul(factor));
        }
        return (cos.to_type(dtype).MoveToOuterDisposeScope(), sin.to_type(dtype).MoveToOuterDisposeScope());
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
