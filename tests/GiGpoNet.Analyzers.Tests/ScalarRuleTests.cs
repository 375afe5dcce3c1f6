namespace GiGpoNet.Analyzers.Tests;

/// <summary>GGN001–GGN003: every Scalar a native call reads is held for the call.</summary>
public sealed class ScalarRuleTests
{
    [Test]
    public Task A_number_passed_where_TorchSharp_takes_a_Scalar_is_reported() =>
        AnalyzerVerifier<ImplicitScalarConversionAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Scale(Tensor x) => x.mul({|GGN001:0.5|});
                static Tensor Clip(Tensor x) => x.clamp({|GGN001:0|}, {|GGN001:1|});
                static Tensor Range(long n) => arange({|GGN001:0|}, {|GGN001:n|}, {|GGN001:1|});
            }
            """);

    [Test]
    public Task A_Scalar_held_in_a_using_local_or_a_field_is_not_a_conversion() =>
        AnalyzerVerifier<ImplicitScalarConversionAnalyzer>.VerifyAsync("""
            static class C
            {
                static readonly Scalar Half = 0.5.ToScalar();
                static Tensor Scale(Tensor x) => x.mul(Half);
                static Tensor Twice(Tensor x)
                {
                    using var two = 2.0.ToScalar();
                    return x.mul(two);
                }
            }
            """);

    [Test]
    public Task Members_that_create_a_Scalar_inside_TorchSharp_are_reported() =>
        AnalyzerVerifier<TemporaryScalarMemberAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Sum(Tensor a, Tensor b) => {|GGN002:a + b|};
                static Tensor Add(Tensor a, Tensor b) => {|GGN002:a.add(b)|};
                static Tensor Halve(Tensor a) => {|GGN002:a * 0.5|};
                static Tensor OneMinus(Tensor a) => {|GGN002:1 - a|};
                static Tensor Square(Tensor a) => {|GGN002:a.square()|};
                static Tensor Leaky(Tensor a) => {|GGN002:nn.functional.leaky_relu(a, 0.1)|};
                static float Value(Tensor a) => {|GGN002:(float)a|};
            }
            """);

    [Test]
    public Task Their_held_alternatives_are_not() =>
        AnalyzerVerifier<TemporaryScalarMemberAnalyzer>.VerifyAsync("""
            static class C
            {
                static readonly Scalar One = 1.ToScalar();
                static readonly Scalar Two = 2.ToScalar();
                static Tensor Sum(Tensor a, Tensor b) => a.add(b, One);
                static Tensor Difference(Tensor a, Tensor b) => a - b;
                static Tensor Product(Tensor a, Tensor b) => a * b;
                static Tensor Square(Tensor a) => a.pow(Two);
                static float Value(Tensor a) => a.item<float>();
            }
            """);

    [Test]
    public Task A_Scalar_that_nothing_holds_during_the_call_is_reported() =>
        AnalyzerVerifier<UnheldScalarArgumentAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Temporary(Tensor x) => x.mul({|GGN003:0.5.ToScalar()|});
                static Tensor PlainLocal(Tensor x)
                {
                    var half = 0.5.ToScalar();
                    return x.mul({|GGN003:half|});
                }
                static Tensor Alpha(Tensor a, Tensor b) => a.add(b, {|GGN003:1.ToScalar()|});
            }
            """);

    [Test]
    public Task Fields_parameters_and_using_locals_hold_their_Scalar() =>
        AnalyzerVerifier<UnheldScalarArgumentAnalyzer>.VerifyAsync("""
            static class C
            {
                static readonly Scalar Half = 0.5.ToScalar();
                static Tensor Field(Tensor x) => x.mul(Half);
                static Tensor Parameter(Tensor x, Scalar s) => x.mul(s);
                static Tensor Using(Tensor x, bool low)
                {
                    using var a = 0.1.ToScalar();
                    using var b = 0.9.ToScalar();
                    return x.clamp(low ? a : b, null);
                }
            }
            """);
}
