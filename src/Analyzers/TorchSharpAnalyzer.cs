using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace GiGpoNet.Analyzers;

/// <summary>What every rule shares: one diagnostic, reported from operations of the given kinds, concurrently, outside generated code.</summary>
public abstract class TorchSharpAnalyzer : DiagnosticAnalyzer
{
    private readonly DiagnosticDescriptor _rule;
    private readonly ImmutableArray<OperationKind> _kinds;

    private protected TorchSharpAnalyzer(DiagnosticDescriptor rule, ImmutableArray<OperationKind> kinds)
    {
        _rule = rule;
        _kinds = kinds;
    }

    /// <inheritdoc />
    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(_rule);

    /// <inheritdoc />
    public sealed override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterOperationAction(Analyze, _kinds);
    }

    /// <summary>Reports this rule at <paramref name="node"/> with the message's arguments.</summary>
    private protected void Report(OperationAnalysisContext context, SyntaxNode node, params object[] arguments) =>
        context.ReportDiagnostic(Diagnostic.Create(_rule, node.GetLocation(), arguments));

    private protected abstract void Analyze(OperationAnalysisContext context);
}
