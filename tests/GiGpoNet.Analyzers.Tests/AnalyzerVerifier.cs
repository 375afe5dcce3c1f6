using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace GiGpoNet.Analyzers.Tests;

/// <summary>
/// Runs one analyzer over a snippet compiled against this runtime's assemblies and the managed TorchSharp, and checks the
/// diagnostics against the markup (<c>{|GGN001:text|}</c>). No reference packages are downloaded.
/// </summary>
internal static class AnalyzerVerifier<TAnalyzer> where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>What every snippet starts with: TorchSharp's usings and the scope attribute the rules recognize by name.</summary>
    public const string Prelude = """
        using System;
        using TorchSharp;
        using static TorchSharp.torch;

        [AttributeUsage(AttributeTargets.Method)]
        internal sealed class RequiresDisposeScopeAttribute : Attribute { }

        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
    [
        .. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var n && (n.StartsWith("System.", StringComparison.Ordinal) || n is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => MetadataReference.CreateFromFile(p)),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
    ]);

    /// <param name="body">The code after the prelude, with the expected diagnostics as markup.</param>
    /// <param name="editorConfig">The lines of an .editorconfig section that applies to the snippet, if any.</param>
    public static Task VerifyAsync(string body, string? editorConfig = null)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
        {
            TestCode = Prelude + body,
            ReferenceAssemblies = new ReferenceAssemblies("net10.0"),
        };
        test.TestState.AdditionalReferences.AddRange(References.Value);
        if (editorConfig is not null) test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", $"root = true\n\n[*.cs]\n{editorConfig}\n"));
        return test.RunAsync();
    }
}
