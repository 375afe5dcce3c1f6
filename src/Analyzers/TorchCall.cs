using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace GiGpoNet.Analyzers;

/// <summary>
/// A call into TorchSharp as the rules see it, whatever its syntax: a method, a constructor, an operator, a property getter or a
/// user-defined conversion, with the operands it passes (receiver first, then arguments).
/// </summary>
internal readonly struct TorchCall
{
    private TorchCall(IOperation operation, IMethodSymbol method, ImmutableArray<IOperation> operands)
    {
        Operation = operation;
        Method = method;
        Operands = operands;
    }

    public IOperation Operation { get; }

    public IMethodSymbol Method { get; }

    /// <summary>The values the call hands to TorchSharp: the instance it is called on and its arguments.</summary>
    public ImmutableArray<IOperation> Operands { get; }

    /// <summary>The operation kinds that can be calls; register an action for these and pass each to <see cref="TryCreate"/>.</summary>
    public static readonly ImmutableArray<OperationKind> Kinds = ImmutableArray.Create(
        OperationKind.Invocation, OperationKind.ObjectCreation, OperationKind.Binary, OperationKind.Unary,
        OperationKind.PropertyReference, OperationKind.Conversion, OperationKind.CompoundAssignment);

    /// <summary>The call that <paramref name="operation"/> makes into TorchSharp, if it makes one.</summary>
    public static bool TryCreate(IOperation operation, out TorchCall call)
    {
        call = default;
        var operands = new List<IOperation>();
        IMethodSymbol? method;
        switch (operation)
        {
            case IInvocationOperation invocation:
                method = invocation.TargetMethod;
                if (invocation.Instance is not null) operands.Add(invocation.Instance);
                AddArguments(operands, invocation.Arguments);
                break;
            case IObjectCreationOperation creation:
                method = creation.Constructor;
                AddArguments(operands, creation.Arguments);
                break;
            case IBinaryOperation binary:
                method = binary.OperatorMethod;
                operands.Add(binary.LeftOperand);
                operands.Add(binary.RightOperand);
                break;
            case IUnaryOperation unary:
                method = unary.OperatorMethod;
                operands.Add(unary.Operand);
                break;
            case ICompoundAssignmentOperation compound:
                method = compound.OperatorMethod;
                operands.Add(compound.Target);
                operands.Add(compound.Value);
                break;
            case IPropertyReferenceOperation property:
                method = property.Property.GetMethod;
                if (property.Instance is not null) operands.Add(property.Instance);
                AddArguments(operands, property.Arguments);
                break;
            case IConversionOperation conversion:
                method = conversion.OperatorMethod;
                operands.Add(conversion.Operand);
                break;
            default:
                return false;
        }
        if (method is null || !TorchSymbols.IsTorchSharp(method) || TorchSymbols.IsManagedOnly(method)) return false;
        call = new TorchCall(operation, method, operands.ToImmutableArray());
        return true;
    }

    private static void AddArguments(List<IOperation> operands, ImmutableArray<IArgumentOperation> arguments)
    {
        foreach (var argument in arguments)
            if (argument.ArgumentKind != ArgumentKind.DefaultValue) operands.Add(argument.Value);
    }
}
