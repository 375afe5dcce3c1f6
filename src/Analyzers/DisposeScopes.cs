using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace GiGpoNet.Analyzers;

/// <summary>
/// Whether code runs inside a TorchSharp dispose scope, read from the source: a <c>using</c> statement or declaration of
/// <c>NewDisposeScope()</c> that encloses it in its method, or a method marked <c>[RequiresDisposeScope]</c> (whose callers
/// GGN005 checks in turn). A lambda marked <c>[RequiresDisposeScope]</c> is taken at its word: the method it is handed to runs it
/// inside a scope, which no rule can see. A scope keeps every tensor created in it reachable until it ends.
/// </summary>
internal static class DisposeScopes
{
    private const string ScopeFactory = "NewDisposeScope";
    private const string Attribute = "RequiresDisposeScope";

    public static bool IsInScope(SyntaxNode node, SemanticModel model)
    {
        for (SyntaxNode? child = node, parent = node.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            switch (parent)
            {
                case UsingStatementSyntax statement when child != statement.Expression && child != statement.Declaration &&
                                                         OpensScope((SyntaxNode?)statement.Expression ?? statement.Declaration):
                    return true;
                case BlockSyntax block when child is StatementSyntax current && HasScopeDeclarationBefore(block.Statements, current):
                    return true;
                case SwitchSectionSyntax section when child is StatementSyntax current && HasScopeDeclarationBefore(section.Statements, current):
                    return true;
                case ParenthesizedLambdaExpressionSyntax lambda when HasAttribute(lambda.AttributeLists):
                    return true;
                case BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax or AccessorDeclarationSyntax:
                    return model.GetDeclaredSymbol(parent) is IMethodSymbol method && RequiresScope(method);
                case TypeDeclarationSyntax:
                    return false;
            }
        }
        return false;
    }

    /// <summary>Whether <paramref name="method"/> is marked <c>[RequiresDisposeScope]</c> (any attribute of that name).</summary>
    public static bool RequiresScope(IMethodSymbol method) =>
        method.GetAttributes().Any(a => a.AttributeClass?.Name is Attribute or Attribute + "Attribute");

    private static bool HasAttribute(SyntaxList<AttributeListSyntax> lists) =>
        lists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is Attribute or Attribute + "Attribute");

    private static bool HasScopeDeclarationBefore(SyntaxList<StatementSyntax> statements, StatementSyntax current)
    {
        foreach (var statement in statements)
        {
            if (statement == current) return false;
            if (statement is LocalDeclarationStatementSyntax { UsingKeyword.RawKind: (int)SyntaxKind.UsingKeyword } declaration &&
                OpensScope(declaration.Declaration)) return true;
        }
        return false;
    }

    private static bool OpensScope(SyntaxNode? node) =>
        node is not null && node.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>().Any(i => InvokedName(i) == ScopeFactory);

    private static string? InvokedName(InvocationExpressionSyntax invocation) => invocation.Expression switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        _ => null,
    };
}
