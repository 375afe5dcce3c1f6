using System.Linq;
using Microsoft.CodeAnalysis;

namespace GiGpoNet.Analyzers;

/// <summary>What the rules need to know of TorchSharp's types and members, by symbol.</summary>
internal static class TorchSymbols
{
    private const string AssemblyName = "TorchSharp";

    public static bool IsTorchSharp(ISymbol? symbol) => symbol?.ContainingAssembly?.Name == AssemblyName;

    /// <summary><c>TorchSharp.Scalar</c> (or a nullable reference to it).</summary>
    public static bool IsScalar(ITypeSymbol? type) =>
        type is { Name: "Scalar", ContainingType: null } && IsTorchSharp(type) && type.ContainingNamespace?.Name == "TorchSharp";

    /// <summary><c>torch.Tensor</c> or a type derived from it, such as <c>Parameter</c>.</summary>
    public static bool IsTensor(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t is { Name: "Tensor", ContainingType.Name: "torch" } && IsTorchSharp(t)) return true;
        return false;
    }

    /// <summary>
    /// Members of a tensor that never reach native code (dispose-scope bookkeeping), so a temporary receiver is not read by libtorch.
    /// </summary>
    public static bool IsManagedOnly(IMethodSymbol method) =>
        IsTensor(method.ContainingType) && method.Name is "DetachFromDisposeScope" or "MoveToOuterDisposeScope" or "MoveToOtherDisposeScope"
            or "get_OwningDisposeScope" or "get_IsInvalid" or "Dispose";

    /// <summary>A TorchSharp <c>nn.Module</c> (its properties return registered parameters, buffers and submodules).</summary>
    public static bool IsModule(ITypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t is { Name: "Module", ContainingType.Name: "nn" } && IsTorchSharp(t)) return true;
        return false;
    }

    /// <summary>
    /// The member as <c>Type.Nested.name(ParamType,…)</c>, in the form the IL scan of TorchSharp.dll writes
    /// (tests/GiGpoNet.Analyzers.Tests/TorchSharpScalarScan.cs), so that both name a member alike.
    /// </summary>
    public static string Signature(IMethodSymbol method)
    {
        var m = (method.ReducedFrom ?? method).OriginalDefinition;
        var parameters = string.Join(",", m.Parameters.Select(p => (p.RefKind == RefKind.None ? "" : "ref ") + TypeName(p.Type)));
        return $"{ContainingTypes(m.ContainingType)}.{m.MetadataName}({parameters})";
    }

    private static string ContainingTypes(INamedTypeSymbol type) =>
        type.ContainingType is null ? type.MetadataName : ContainingTypes(type.ContainingType) + "." + type.MetadataName;

    private static string TypeName(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => TypeName(array.ElementType) + "[]",
        IPointerTypeSymbol pointer => TypeName(pointer.PointedAtType) + "*",
        ITypeParameterSymbol parameter => (parameter.TypeParameterKind == TypeParameterKind.Method ? "!!" : "!") + parameter.Ordinal,
        INamedTypeSymbol { IsGenericType: true } named =>
            named.OriginalDefinition.MetadataName + "<" + string.Join(",", named.TypeArguments.Select(TypeName)) + ">",
        _ => type.MetadataName,
    };
}
