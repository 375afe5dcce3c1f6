using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>GGN001: every implicit conversion of a number (or anything else) to <c>TorchSharp.Scalar</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ImplicitScalarConversionAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(TorchSharpDiagnostics.ImplicitScalarConversion);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(Analyze, OperationKind.Conversion);
    }

    private static void Analyze(OperationAnalysisContext context)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (!conversion.IsImplicit || conversion.OperatorMethod is null || !TorchSymbols.IsScalar(conversion.Type)) return;
        if (TorchSymbols.IsScalar(conversion.Operand.Type)) return;
        context.ReportDiagnostic(Diagnostic.Create(TorchSharpDiagnostics.ImplicitScalarConversion,
            conversion.Operand.Syntax.GetLocation(), conversion.Operand.Syntax.ToString()));
    }
}
