using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>
/// GGN005: a call of a method marked <c>[RequiresDisposeScope]</c> (one that leaves its temporaries to its caller's dispose scope)
/// from code that is not in one. With GGN004 this carries the scope requirement up to the method that opens the scope.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnscopedCallAnalyzer() : TorchSharpAnalyzer(TorchSharpDiagnostics.UnscopedCall, ImmutableArray.Create(OperationKind.Invocation, OperationKind.PropertyReference,
    OperationKind.ObjectCreation))
{
    private protected override void Analyze(OperationAnalysisContext context)
    {
        var method = context.Operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IPropertyReferenceOperation property => property.Property.GetMethod,
            IObjectCreationOperation creation => creation.Constructor,
            _ => null,
        };
        if (method is null || !DisposeScopes.RequiresScope(method.OriginalDefinition)) return;
        if (context.Operation.SemanticModel is { } model && DisposeScopes.IsInScope(context.Operation.Syntax, model)) return;
        Report(context, context.Operation.Syntax, method.ToDisplayString());
    }
}
