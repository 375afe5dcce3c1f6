using Microsoft.CodeAnalysis;

namespace GiGpoNet.Analyzers;

/// <summary>The layout rules that the IDE rules leave to editors.</summary>
internal static class StyleDiagnostics
{
    public static readonly DiagnosticDescriptor LineTooLong = new(
        "GGN006",
        "A line is longer than max_line_length",
        "This line has {0} characters; the limit is {1} (max_line_length in .editorconfig): break it",
        "Style", DiagnosticSeverity.Error, isEnabledByDefault: true);
}
