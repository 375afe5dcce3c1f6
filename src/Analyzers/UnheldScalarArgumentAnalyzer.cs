using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>
/// GGN003: a Scalar handed to TorchSharp that nothing else references during the call, such as <c>x.add(y, 1.ToScalar())</c> or a
/// plain local created just before. Implicit conversions are GGN001's.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnheldScalarArgumentAnalyzer() : TorchSharpAnalyzer(TorchSharpDiagnostics.UnheldScalarArgument, TorchCall.Kinds)
{
    private protected override void Analyze(OperationAnalysisContext context)
    {
        if (!TorchCall.TryCreate(context.Operation, out var call)) return;
        foreach (var operand in call.Operands)
        {
            if (!TorchSymbols.IsScalar(operand.Type)) continue;
            if (operand is IConversionOperation { IsImplicit: true, OperatorMethod: not null }) continue; // GGN001
            if (HeldValues.IsHeld(operand)) continue;
            Report(context, operand.Syntax, operand.Syntax.ToString());
        }
    }
}
