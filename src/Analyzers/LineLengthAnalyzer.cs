using System.Collections.Immutable;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace GiGpoNet.Analyzers;

/// <summary>
/// GGN006: a line longer than the <c>max_line_length</c> of the file's .editorconfig section. The IDE rules read that key only as a
/// guide for editors; this rule makes it a build error. Files without the key, and generated code, are not checked.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LineLengthAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The .editorconfig key read.</summary>
    internal const string Key = "max_line_length";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(StyleDiagnostics.LineTooLong);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSyntaxTreeAction(Analyze);
    }

    private static void Analyze(SyntaxTreeAnalysisContext context)
    {
        if (!context.Options.AnalyzerConfigOptionsProvider.GetOptions(context.Tree).TryGetValue(Key, out var text)) return;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit < 1) return; // "off" or unset
        foreach (var line in context.Tree.GetText(context.CancellationToken).Lines)
        {
            if (line.Span.Length <= limit) continue;
            var excess = TextSpan.FromBounds(line.Start + limit, line.End);
            context.ReportDiagnostic(Diagnostic.Create(StyleDiagnostics.LineTooLong, Location.Create(context.Tree, excess), line.Span.Length, limit));
        }
    }
}
