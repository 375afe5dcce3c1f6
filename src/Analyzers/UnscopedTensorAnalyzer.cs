using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>
/// GGN004: outside a dispose scope, a tensor handed to TorchSharp (as the instance or an argument, or inside an array or collection
/// argument) must be held: a field, a parameter, a <c>using</c> local or a <c>foreach</c> variable. A temporary such as
/// <c>a.exp().log()</c>'s <c>exp()</c> or a plain local read for the last time can be finalized while libtorch reads it.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnscopedTensorAnalyzer() : TorchSharpAnalyzer(TorchSharpDiagnostics.UnscopedTensor, TorchCall.Kinds)
{
    private protected override void Analyze(OperationAnalysisContext context)
    {
        if (!TorchCall.TryCreate(context.Operation, out var call)) return;
        List<IOperation>? unheld = null;
        foreach (var operand in call.Operands)
            foreach (var tensor in Tensors(operand))
                if (!HeldValues.IsHeld(tensor)) (unheld ??= new List<IOperation>()).Add(tensor);
        if (unheld is null) return;
        if (context.Operation.SemanticModel is { } model && DisposeScopes.IsInScope(context.Operation.Syntax, model)) return;
        foreach (var tensor in unheld)
            Report(context, tensor.Syntax, tensor.Syntax.ToString());
    }

    private static IEnumerable<IOperation> Tensors(IOperation operand)
    {
        if (TorchSymbols.IsTensor(operand.Type)) { yield return operand; yield break; }
        var elements = operand switch
        {
            IArrayCreationOperation { Initializer: not null } array => array.Initializer.ElementValues,
            IConversionOperation { Operand: IArrayCreationOperation { Initializer: not null } array } => array.Initializer.ElementValues,
            ICollectionExpressionOperation collection => collection.Elements,
            IConversionOperation { Operand: ICollectionExpressionOperation collection } => collection.Elements,
            _ => ImmutableArray<IOperation>.Empty,
        };
        foreach (var element in elements)
            if (TorchSymbols.IsTensor(element.Type)) yield return element;
    }
}
