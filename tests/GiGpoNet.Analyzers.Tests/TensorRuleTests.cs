namespace GiGpoNet.Analyzers.Tests;

/// <summary>GGN004 and GGN005: tensors handed to native calls are held, or live in a dispose scope.</summary>
public sealed class TensorRuleTests
{
    [Test]
    public Task Outside_a_scope_a_temporary_or_a_plain_local_tensor_is_reported() =>
        AnalyzerVerifier<UnscopedTensorAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Chain(Tensor x) => {|GGN004:x.exp()|}.log();
                static Tensor Argument(Tensor x, Tensor y) => x.matmul({|GGN004:y.t()|});
                static Tensor Local(Tensor x)
                {
                    var e = x.exp();
                    return {|GGN004:e|}.log();
                }
                static Tensor Joined(Tensor x) => cat(new[] { {|GGN004:x.exp()|}, x }, 0);
                static long[] Shape(Tensor x) => {|GGN004:x.exp()|}.shape;
            }
            """);

    [Test]
    public Task Inside_a_scope_or_a_method_that_requires_one_temporaries_are_fine() =>
        AnalyzerVerifier<UnscopedTensorAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Declared(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    var e = x.exp();
                    return e.log().matmul(x.t()).MoveToOuterDisposeScope();
                }
                static Tensor Statement(Tensor x)
                {
                    using (NewDisposeScope())
                    {
                        return x.exp().log().MoveToOuterDisposeScope();
                    }
                }
                [RequiresDisposeScope]
                static Tensor Marked(Tensor x) => x.exp().log();
                static Tensor Held(Tensor x)
                {
                    using var e = x.exp();
                    return e.log();
                }
                static void Loop(System.Collections.Generic.List<Tensor> tensors)
                {
                    foreach (var t in tensors) t.zero_();
                }
            }
            """);

    [Test]
    public Task A_scope_opened_after_the_call_does_not_count() =>
        AnalyzerVerifier<UnscopedTensorAnalyzer>.VerifyAsync("""
            static class C
            {
                static Tensor Late(Tensor x)
                {
                    var y = {|GGN004:x.exp()|}.log();
                    using var scope = NewDisposeScope();
                    return y;
                }
            }
            """);

    [Test]
    public Task A_method_that_requires_a_scope_is_reported_where_it_is_called_outside_one() =>
        AnalyzerVerifier<UnscopedCallAnalyzer>.VerifyAsync("""
            static class C
            {
                [RequiresDisposeScope]
                static Tensor Marked(Tensor x) => x.exp().log();

                static Tensor Outside(Tensor x) => {|GGN005:Marked(x)|};

                static Tensor Inside(Tensor x)
                {
                    using var scope = NewDisposeScope();
                    return Marked(x).MoveToOuterDisposeScope();
                }

                [RequiresDisposeScope]
                static Tensor Nested(Tensor x) => Marked(x);
            }
            """);
}
