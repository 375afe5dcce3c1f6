using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>
/// Whether a value passed to a native call stays referenced until the call returns: a field, a parameter (its caller holds it, and
/// the caller's own call is checked where it is written), a <c>using</c> local, whose disposal at the end of its block keeps it
/// reachable, a <c>foreach</c> variable (an element of a collection the loop holds), an element of a held array, or a property that
/// returns stored state. A plain local is not held: the JIT may treat it as dead once its handle is read.
/// </summary>
internal static class HeldValues
{
    public static bool IsHeld(IOperation operand)
    {
        switch (operand)
        {
            case IConversionOperation { OperatorMethod: null } conversion:
                return IsHeld(conversion.Operand);
            case IParenthesizedOperation parenthesized:
                return IsHeld(parenthesized.Operand);
            case ILiteralOperation:
            case IDefaultValueOperation:
            case IFieldReferenceOperation:
            case IParameterReferenceOperation:
            case IInstanceReferenceOperation:
                return true;
            case ILocalReferenceOperation local:
                return IsUsingLocal(local.Local);
            case IArrayElementReferenceOperation element:
                return IsHeld(element.ArrayReference);
            case IPropertyReferenceOperation property:
                return IsStoredState(property);
            case IConditionalOperation conditional:
                return IsHeld(conditional.WhenTrue) && (conditional.WhenFalse is null || IsHeld(conditional.WhenFalse));
            case ICoalesceOperation coalesce:
                return IsHeld(coalesce.Value) && IsHeld(coalesce.WhenNull);
            default:
                return operand.ConstantValue is { HasValue: true, Value: null };
        }
    }

    /// <summary>
    /// A property of our own code or of a TorchSharp module (a registered parameter or buffer) returns what its object stores; a
    /// property of a tensor (<c>grad</c>, <c>T</c>, …) wraps a new native handle each time, a temporary.
    /// </summary>
    private static bool IsStoredState(IPropertyReferenceOperation property)
    {
        if (!TorchSymbols.IsTorchSharp(property.Property)) return property.Instance is null || IsHeld(property.Instance);
        return TorchSymbols.IsModule(property.Property.ContainingType) && (property.Instance is null || IsHeld(property.Instance));
    }

    private static bool IsUsingLocal(ILocalSymbol local)
    {
        foreach (var reference in local.DeclaringSyntaxReferences)
        {
            var node = reference.GetSyntax();
            if (node is ForEachStatementSyntax || node.FirstAncestorOrSelf<ForEachVariableStatementSyntax>() is { } loop && loop.Variable.Span.Contains(node.Span))
                return true; // an element of the collection, which the loop keeps reachable
            for (var parent = node.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is LocalDeclarationStatementSyntax declaration) return declaration.UsingKeyword.Span.Length > 0;
                if (parent is UsingStatementSyntax) return true;
                if (parent is StatementSyntax) break;
            }
        }
        return false;
    }
}
