using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GiGpoNet.Analyzers;

/// <summary>
/// GGN002: calls of the TorchSharp members that create a Scalar inside TorchSharp and do not dispose it (so nothing holds it while
/// libtorch reads it): <c>a + b</c> and <c>add(b)</c> (an alpha of 1), every operator between a tensor and a number, <c>square()</c>,
/// <c>leaky_relu</c>, … The list (TemporaryScalarMembers.txt) is the IL scan of TorchSharp.dll that the analyzer tests repeat.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TemporaryScalarMemberAnalyzer() : TorchSharpAnalyzer(TorchSharpDiagnostics.TemporaryScalarMember, TorchCall.Kinds)
{
    private static readonly HashSet<string> Members = Load();

    /// <summary>The members, as <see cref="TorchSymbols.Signature"/> writes them.</summary>
    internal static IReadOnlyCollection<string> KnownMembers => Members;

    private protected override void Analyze(OperationAnalysisContext context)
    {
        if (!TorchCall.TryCreate(context.Operation, out var call)) return;
        if (TorchSymbols.IsScalar(call.Method.ReturnType)) return; // a factory of a Scalar the caller then holds (GGN003)
        var signature = TorchSymbols.Signature(call.Method);
        if (!Members.Contains(signature)) return;
        Report(context, context.Operation.Syntax, signature, Fix(call.Method));
    }

    private static string Fix(IMethodSymbol method) => method.MetadataName switch
    {
        "op_Addition" or "add" or "add_" => "pass a held alpha: a.add(b, HeldScalars.One), or a held Scalar operand with its alpha",
        "op_Subtraction" => "subtract a held Scalar (a.sub(s)), or negate and add with a held alpha",
        "op_Multiply" or "op_Division" or "op_Modulus" => "call mul/div/remainder with a Scalar held in a 'using' local",
        "op_Explicit" or "ToSingle" or "ToDouble" or "ToInt32" or "ToInt64" or "ToBoolean" => "read the value with item<T>()",
        "step" => "use the backend's AdamWOptimizer, which holds its coefficients",
        "square" => "use x.pow(HeldScalars.Two)",
        "addcdiv" or "addcdiv_" => "pass a held value: addcdiv(t1, t2, HeldScalars.One)",
        _ => "call an overload that takes a Scalar and pass one held in a 'using' local, or compute it another way",
    };

    private static HashSet<string> Load()
    {
        using var stream = typeof(TemporaryScalarMemberAnalyzer).Assembly.GetManifestResourceStream("GiGpoNet.Analyzers.TemporaryScalarMembers.txt")!;
        using var reader = new StreamReader(stream);
        return new HashSet<string>(reader.ReadToEnd().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("#")));
    }
}
