using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>GGN001: every implicit conversion of a number (or anything else) to <c>TorchSharp.Scalar</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ImplicitScalarConversionAnalyzer() : TorchSharpAnalyzer(TorchSharpDiagnostics.ImplicitScalarConversion, ImmutableArray.Create(OperationKind.Conversion))
{
    private protected override void Analyze(OperationAnalysisContext context)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!conversion.IsImplicit || conversion.OperatorMethod is null || !TorchSymbols.IsScalar(conversion.Type)) return;
        if (TorchSymbols.IsScalar(conversion.Operand.Type)) return;
        Report(context, conversion.Operand.Syntax, conversion.Operand.Syntax.ToString());
    }
}
