using Microsoft.CodeAnalysis;

namespace GiGpoNet.Analyzers;

/// <summary>The rules that keep every Scalar and tensor a native call reads reachable until the call returns (docs/analyzers.md).</summary>
internal static class TorchSharpDiagnostics
{
    private const string Category = "Reliability";
    private const string HelpLink = "docs/analyzers.md";

    public static readonly DiagnosticDescriptor ImplicitScalarConversion = new(
        "GGN001",
        "A number is converted implicitly to a temporary TorchSharp Scalar",
        "'{0}' becomes a temporary TorchSharp Scalar here; its finalizer can free it while libtorch reads it. Hold it for the call: a 'using var s = ... .ToScalar();' declared " +
            "before it, or a HeldScalars field.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink);

    public static readonly DiagnosticDescriptor TemporaryScalarMember = new(
        "GGN002",
        "This TorchSharp member creates a temporary Scalar inside TorchSharp",
        "'{0}' creates a temporary Scalar inside TorchSharp that can be finalized while libtorch reads it; {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink);

    public static readonly DiagnosticDescriptor UnheldScalarArgument = new(
        "GGN003",
        "A Scalar passed to TorchSharp is not held for the call",
        "The Scalar '{0}' is referenced only by this call; hold it in a field or a 'using' local declared before the call",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink);

    public static readonly DiagnosticDescriptor UnscopedTensor = new(
        "GGN004",
        "A tensor passed to TorchSharp outside a dispose scope is not held for the call",
        "The tensor '{0}' is referenced only by this call outside a dispose scope; a GC can finalize it while libtorch reads it. Put the computation in 'using var scope = " +
            "torch.NewDisposeScope();' (or mark the method [RequiresDisposeScope]), or hold the tensor in a field or a 'using' local.",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink);

    public static readonly DiagnosticDescriptor UnscopedCall = new(
        "GGN005",
        "A method that requires a dispose scope is called outside one",
        "'{0}' is marked [RequiresDisposeScope]: call it inside 'using var scope = torch.NewDisposeScope();' or from another [RequiresDisposeScope] method",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLink);
}
