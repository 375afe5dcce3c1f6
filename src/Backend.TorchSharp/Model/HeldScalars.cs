using TorchSharp;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// Scalars that live as long as the process, for the constant operands of tensor arithmetic. TorchSharp turns a number into a
/// <see cref="Scalar"/> whenever one is passed, and its own <c>a + b</c> and <c>add(scalar)</c> pass a scalar alpha of 1
/// that nothing references once its handle is read, and its <c>square()</c> is <c>pow(2)</c> with such a temporary exponent: a
/// garbage collection on another thread during the native call can finalize it and free its memory while libtorch still reads it,
/// which fails rarely and at random (<c>Scalar.h</c> assertions, "Unknown scalar type", "Expected false to be true"). Code on the
/// hot path passes these instead (<c>a.add(b, HeldScalars.One)</c>, <c>x.pow(HeldScalars.Two)</c> for a square), or holds a scalar
/// of its own in a local until the call returns.
/// </summary>
internal static class HeldScalars
{
    /// <summary>1, the alpha of a plain addition or subtraction.</summary>
    public static readonly Scalar One = 1.ToScalar();

    /// <summary>−1, to subtract one with <c>add(MinusOne, One)</c>.</summary>
    public static readonly Scalar MinusOne = (-1).ToScalar();

    /// <summary>2, the exponent of a square: <c>x.pow(Two)</c> is TorchSharp's <c>x.square()</c> without its temporary exponent.</summary>
    public static readonly Scalar Two = 2.ToScalar();

    /// <summary>0.</summary>
    public static readonly Scalar Zero = 0.ToScalar();
}
