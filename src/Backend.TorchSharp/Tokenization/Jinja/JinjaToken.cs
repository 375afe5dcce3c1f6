namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>The kinds of token the lexer produces.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Template text, output as it is.</summary>
    Data,

    /// <summary><c>{{</c>.</summary>
    VariableBegin,

    /// <summary><c>}}</c>.</summary>
    VariableEnd,

    /// <summary><c>{%</c>.</summary>
    BlockBegin,

    /// <summary><c>%}</c>.</summary>
    BlockEnd,

    /// <summary>A name (identifiers and keywords).</summary>
    Name,

    /// <summary>A string literal, unescaped.</summary>
    String,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A float literal.</summary>
    Float,

    /// <summary>An operator or punctuation (<c>+</c>, <c>//</c>, <c>==</c>, <c>(</c>, ...).</summary>
    Operator,

    /// <summary>The end of the template.</summary>
    End,
}

/// <summary>One token: its kind, its text (unescaped for strings), and the line it starts on.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line)
{
    public bool Is(JinjaTokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsOperator(string value) => Is(JinjaTokenKind.Operator, value);

    public bool IsName(string value) => Is(JinjaTokenKind.Name, value);

    public override string ToString() => Kind switch
    {
        JinjaTokenKind.End => "the end of the template",
        JinjaTokenKind.Data => "template text",
        JinjaTokenKind.String => $"the string '{Value}'",
        _ => $"'{Value}'",
    };
}
