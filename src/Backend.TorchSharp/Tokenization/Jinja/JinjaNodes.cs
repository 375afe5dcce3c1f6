namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>A node of a parsed template: a statement that writes output, or an expression that has a value.</summary>
internal abstract record JinjaNode(int Line);

// Statements

internal sealed record TextNode(string Text, int Line) : JinjaNode(Line);

internal sealed record OutputNode(JinjaExpression Value, int Line) : JinjaNode(Line);

internal sealed record IfNode(IReadOnlyList<(JinjaExpression Test, IReadOnlyList<JinjaNode> Body)> Branches, IReadOnlyList<JinjaNode>? Else, int Line)
    : JinjaNode(Line);

internal sealed record ForNode(JinjaExpression Target, JinjaExpression Iterable, JinjaExpression? Filter, IReadOnlyList<JinjaNode> Body,
    IReadOnlyList<JinjaNode>? Else, int Line) : JinjaNode(Line);

internal sealed record SetNode(JinjaExpression Target, JinjaExpression? Value, IReadOnlyList<JinjaNode>? Body, int Line) : JinjaNode(Line);

internal sealed record MacroNode(string Name, IReadOnlyList<(string Name, JinjaExpression? Default)> Parameters, IReadOnlyList<JinjaNode> Body, int Line)
    : JinjaNode(Line);

internal sealed record FilterBlockNode(JinjaExpression Filter, IReadOnlyList<JinjaNode> Body, int Line) : JinjaNode(Line);

internal sealed record BreakNode(int Line) : JinjaNode(Line);

internal sealed record ContinueNode(int Line) : JinjaNode(Line);

/// <summary>transformers' <c>{% generation %}</c> block (marks assistant tokens); renders its body.</summary>
internal sealed record GenerationNode(IReadOnlyList<JinjaNode> Body, int Line) : JinjaNode(Line);

// Expressions

internal abstract record JinjaExpression(int Line) : JinjaNode(Line);

internal sealed record LiteralExpression(object? Value, int Line) : JinjaExpression(Line);

internal sealed record NameExpression(string Name, int Line) : JinjaExpression(Line);

internal sealed record ListExpression(IReadOnlyList<JinjaExpression> Items, bool IsTuple, int Line) : JinjaExpression(Line);

internal sealed record DictExpression(IReadOnlyList<(JinjaExpression Key, JinjaExpression Value)> Items, int Line) : JinjaExpression(Line);

internal sealed record AttributeExpression(JinjaExpression Target, string Name, int Line) : JinjaExpression(Line);

internal sealed record IndexExpression(JinjaExpression Target, JinjaExpression Index, int Line) : JinjaExpression(Line);

internal sealed record SliceExpression(JinjaExpression Target, JinjaExpression? Start, JinjaExpression? Stop, JinjaExpression? Step, int Line)
    : JinjaExpression(Line);

internal sealed record CallExpression(JinjaExpression Callee, IReadOnlyList<JinjaExpression> Arguments,
    IReadOnlyList<(string Name, JinjaExpression Value)> Keywords, int Line) : JinjaExpression(Line);

internal sealed record FilterExpression(JinjaExpression Value, string Name, IReadOnlyList<JinjaExpression> Arguments,
    IReadOnlyList<(string Name, JinjaExpression Value)> Keywords, int Line) : JinjaExpression(Line);

internal sealed record TestExpression(JinjaExpression Value, string Name, IReadOnlyList<JinjaExpression> Arguments, bool Negated, int Line)
    : JinjaExpression(Line);

internal sealed record UnaryExpression(string Operator, JinjaExpression Operand, int Line) : JinjaExpression(Line);

internal sealed record BinaryExpression(string Operator, JinjaExpression Left, JinjaExpression Right, int Line) : JinjaExpression(Line);

internal sealed record ConditionalExpression(JinjaExpression Test, JinjaExpression Then, JinjaExpression? Else, int Line) : JinjaExpression(Line);
