using System.Globalization;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// Jinja2's grammar for what chat templates use: <c>if</c>/<c>elif</c>/<c>else</c>, <c>for</c> (with a filter, <c>else</c>,
/// <c>loop</c>, <c>break</c>, <c>continue</c>), <c>set</c> (names, tuples, namespace attributes, blocks), <c>macro</c>,
/// <c>filter</c> blocks and transformers' <c>generation</c>; expressions with Jinja's precedence (conditional, <c>or</c>, <c>and</c>,
/// <c>not</c>, comparisons and <c>in</c>, <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary signs, then attributes,
/// subscripts, slices, calls, filters and <c>is</c> tests), literals, lists, tuples and dicts.
/// </summary>
internal sealed class JinjaParser
{
    private readonly List<JinjaToken> _tokens;
    private int _position;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    public static IReadOnlyList<JinjaNode> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var body = parser.Statements(out var stop);
        if (stop is not null) throw new ChatTemplateException($"line {stop.Value.Line}: unexpected '{{% {stop.Value.Value} %}}'.");
        return body;
    }

    private JinjaToken Current => _tokens[_position];

    private JinjaToken Next() => _tokens[_position++];

    private ChatTemplateException Error(string message) => new($"line {Current.Line}: {message}");

    private void Expect(JinjaTokenKind kind, string? value = null)
    {
        if (Current.Kind != kind || (value is not null && Current.Value != value))
            throw Error($"expected {(value is null ? kind.ToString() : $"'{value}'")}, found {Current}.");
        _position++;
    }

    private bool Accept(string op)
    {
        if (!Current.IsOperator(op)) return false;
        _position++;
        return true;
    }

    private bool AcceptName(string name)
    {
        if (!Current.IsName(name)) return false;
        _position++;
        return true;
    }

    private string ExpectName()
    {
        if (Current.Kind != JinjaTokenKind.Name) throw Error($"expected a name, found {Current}.");
        return Next().Value;
    }

    /// <summary>Statements up to the end or to a block tag that closes the caller's block; <paramref name="stop"/> is that tag's keyword.</summary>
    private List<JinjaNode> Statements(out JinjaToken? stop)
    {
        var nodes = new List<JinjaNode>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    stop = null;
                    return nodes;
                case JinjaTokenKind.Data:
                    nodes.Add(new TextNode(Next().Value, token.Line));
                    break;
                case JinjaTokenKind.VariableBegin:
                    _position++;
                    nodes.Add(new OutputNode(Tuple(), token.Line));
                    Expect(JinjaTokenKind.VariableEnd);
                    break;
                case JinjaTokenKind.BlockBegin:
                    _position++;
                    var keyword = Current;
                    if (keyword.Kind != JinjaTokenKind.Name) throw Error($"expected a statement, found {keyword}.");
                    if (keyword.Value is "endif" or "elif" or "else" or "endfor" or "endset" or "endmacro" or "endfilter" or "endgeneration")
                    {
                        stop = keyword;
                        _position++;
                        return nodes;
                    }
                    nodes.Add(Statement());
                    break;
                default:
                    throw Error($"unexpected {token}.");
            }
        }
    }

    private List<JinjaNode> Block(params string[] ends)
    {
        var body = Statements(out var stop);
        if (stop is null || !ends.Contains(stop.Value.Value))
            throw new ChatTemplateException($"line {stop?.Line ?? Current.Line}: expected {string.Join(" or ", ends.Select(e => $"{{% {e} %}}"))}, found " +
                                     $"{(stop is null ? "the end of the template" : $"{{% {stop.Value.Value} %}}")}.");
        _position--; // back to the keyword, for the caller to read
        return body;
    }

    private JinjaNode Statement()
    {
        var keyword = Next();
        var line = keyword.Line;
        switch (keyword.Value)
        {
            case "if":
            {
                var branches = new List<(JinjaExpression, IReadOnlyList<JinjaNode>)>();
                var test = Expression();
                while (true)
                {
                    Expect(JinjaTokenKind.BlockEnd);
                    var body = Block("elif", "else", "endif");
                    branches.Add((test, body));
                    var next = Next().Value;
                    if (next == "elif")
                    {
                        test = Expression();
                        continue;
                    }
                    List<JinjaNode>? otherwise = null;
                    if (next == "else")
                    {
                        Expect(JinjaTokenKind.BlockEnd);
                        otherwise = Block("endif");
                        _position++;
                    }
                    Expect(JinjaTokenKind.BlockEnd);
                    return new IfNode(branches, otherwise, line);
                }
            }
            case "for":
            {
                var target = Target();
                if (!AcceptName("in")) throw Error("expected 'in' in the for statement.");
                var iterable = Tuple(withConditional: false);
                JinjaExpression? filter = null;
                if (AcceptName("if")) filter = Expression();
                if (AcceptName("recursive")) throw Error("recursive loops are not supported.");
                Expect(JinjaTokenKind.BlockEnd);
                var body = Block("else", "endfor");
                List<JinjaNode>? otherwise = null;
                if (Next().Value == "else")
                {
                    Expect(JinjaTokenKind.BlockEnd);
                    otherwise = Block("endfor");
                    _position++;
                }
                Expect(JinjaTokenKind.BlockEnd);
                return new ForNode(target, iterable, filter, body, otherwise, line);
            }
            case "set":
            {
                var target = Target(allowAttribute: true);
                if (Accept("="))
                {
                    var value = Tuple();
                    Expect(JinjaTokenKind.BlockEnd);
                    return new SetNode(target, value, null, line);
                }
                Expect(JinjaTokenKind.BlockEnd);
                var body = Block("endset");
                _position++;
                Expect(JinjaTokenKind.BlockEnd);
                return new SetNode(target, null, body, line);
            }
            case "macro":
            {
                var name = ExpectName();
                var parameters = new List<(string, JinjaExpression?)>();
                Expect(JinjaTokenKind.Operator, "(");
                while (!Accept(")"))
                {
                    if (parameters.Count > 0) Expect(JinjaTokenKind.Operator, ",");
                    if (Accept(")")) break;
                    var parameter = ExpectName();
                    parameters.Add((parameter, Accept("=") ? Expression() : null));
                }
                Expect(JinjaTokenKind.BlockEnd);
                var body = Block("endmacro");
                _position++;
                Expect(JinjaTokenKind.BlockEnd);
                return new MacroNode(name, parameters, body, line);
            }
            case "filter":
            {
                var filter = FilterChain(new NameExpression("__block__", line), first: true);
                Expect(JinjaTokenKind.BlockEnd);
                var body = Block("endfilter");
                _position++;
                Expect(JinjaTokenKind.BlockEnd);
                return new FilterBlockNode(filter, body, line);
            }
            case "generation":
            {
                Expect(JinjaTokenKind.BlockEnd);
                var body = Block("endgeneration");
                _position++;
                Expect(JinjaTokenKind.BlockEnd);
                return new GenerationNode(body, line);
            }
            case "break":
                Expect(JinjaTokenKind.BlockEnd);
                return new BreakNode(line);
            case "continue":
                Expect(JinjaTokenKind.BlockEnd);
                return new ContinueNode(line);
            default:
                throw new ChatTemplateException($"line {line}: the statement '{keyword.Value}' is not supported in chat templates here.");
        }
    }

    /// <summary>An assignment target: a name, a tuple of names, or (for <c>set</c>) a namespace attribute.</summary>
    private JinjaExpression Target(bool allowAttribute = false)
    {
        var line = Current.Line;
        JinjaExpression One()
        {
            var name = new NameExpression(ExpectName(), line);
            if (allowAttribute && Accept(".")) return new AttributeExpression(name, ExpectName(), line);
            return name;
        }
        var first = One();
        if (!Current.IsOperator(",")) return first;
        var items = new List<JinjaExpression> { first };
        while (Accept(","))
        {
            if (Current.Kind != JinjaTokenKind.Name) break;
            items.Add(One());
        }
        return new ListExpression(items, IsTuple: true, line);
    }

    /// <summary>An expression, or several separated by commas (an implicit tuple).</summary>
    private JinjaExpression Tuple(bool withConditional = true)
    {
        var line = Current.Line;
        var first = withConditional ? Expression() : Or();
        if (!Current.IsOperator(",")) return first;
        var items = new List<JinjaExpression> { first };
        while (Accept(","))
        {
            if (Current.Kind is JinjaTokenKind.BlockEnd or JinjaTokenKind.VariableEnd || Current.IsOperator(")")) break;
            items.Add(withConditional ? Expression() : Or());
        }
        return new ListExpression(items, IsTuple: true, line);
    }

    private JinjaExpression Expression()
    {
        var value = Or();
        while (Current.IsName("if"))
        {
            var line = Next().Line;
            var test = Or();
            JinjaExpression? otherwise = AcceptName("else") ? Expression() : null;
            value = new ConditionalExpression(test, value, otherwise, line);
        }
        return value;
    }

    private JinjaExpression Or()
    {
        var left = And();
        while (Current.IsName("or"))
        {
            var line = Next().Line;
            left = new BinaryExpression("or", left, And(), line);
        }
        return left;
    }

    private JinjaExpression And()
    {
        var left = Not();
        while (Current.IsName("and"))
        {
            var line = Next().Line;
            left = new BinaryExpression("and", left, Not(), line);
        }
        return left;
    }

    private JinjaExpression Not()
    {
        if (!Current.IsName("not")) return Compare();
        var line = Next().Line;
        return new UnaryExpression("not", Not(), line);
    }

    private JinjaExpression Compare()
    {
        var left = Add();
        while (true)
        {
            var line = Current.Line;
            if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or "<=" or ">" or ">=")
            {
                var op = Next().Value;
                left = new BinaryExpression(op, left, Add(), line);
            }
            else if (AcceptName("in")) left = new BinaryExpression("in", left, Add(), line);
            else if (Current.IsName("not") && _tokens[_position + 1].IsName("in"))
            {
                _position += 2;
                left = new BinaryExpression("not in", left, Add(), line);
            }
            else return left;
        }
    }

    private JinjaExpression Add()
    {
        var left = Concat();
        while (Current.IsOperator("+") || Current.IsOperator("-"))
        {
            var token = Next();
            left = new BinaryExpression(token.Value, left, Concat(), token.Line);
        }
        return left;
    }

    private JinjaExpression Concat()
    {
        var left = Multiply();
        while (Current.IsOperator("~"))
        {
            var line = Next().Line;
            left = new BinaryExpression("~", left, Multiply(), line);
        }
        return left;
    }

    private JinjaExpression Multiply()
    {
        var left = Power();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var token = Next();
            left = new BinaryExpression(token.Value, left, Power(), token.Line);
        }
        return left;
    }

    private JinjaExpression Power()
    {
        var left = Unary();
        while (Current.IsOperator("**"))
        {
            var line = Next().Line;
            left = new BinaryExpression("**", left, Unary(), line);
        }
        return left;
    }

    private JinjaExpression Unary(bool withFilters = true)
    {
        var line = Current.Line;
        JinjaExpression node;
        if (Accept("-")) node = new UnaryExpression("-", Unary(withFilters: false), line);
        else if (Accept("+")) node = new UnaryExpression("+", Unary(withFilters: false), line);
        else node = Primary();
        node = Postfix(node);
        return withFilters ? FilterChain(node, first: false) : node;
    }

    private JinjaExpression Primary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpression(true, token.Line),
                    "false" or "False" => new LiteralExpression(false, token.Line),
                    "none" or "None" => new LiteralExpression(null, token.Line),
                    _ => new NameExpression(token.Value, token.Line),
                };
            case JinjaTokenKind.String:
            {
                var text = token.Value;
                while (Current.Kind == JinjaTokenKind.String) text += Next().Value; // adjacent literals join
                return new LiteralExpression(new JinjaString(text), token.Line);
            }
            case JinjaTokenKind.Integer:
                return new LiteralExpression(long.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case JinjaTokenKind.Float:
                return new LiteralExpression(double.Parse(token.Value, CultureInfo.InvariantCulture), token.Line);
            case JinjaTokenKind.Operator when token.Value == "(":
            {
                if (Accept(")")) return new ListExpression([], IsTuple: true, token.Line);
                var inner = Expression();
                if (Accept(")")) return inner;
                var items = new List<JinjaExpression> { inner };
                while (Accept(","))
                {
                    if (Current.IsOperator(")")) break;
                    items.Add(Expression());
                }
                Expect(JinjaTokenKind.Operator, ")");
                return new ListExpression(items, IsTuple: true, token.Line);
            }
            case JinjaTokenKind.Operator when token.Value == "[":
            {
                var items = new List<JinjaExpression>();
                while (!Accept("]"))
                {
                    if (items.Count > 0)
                    {
                        Expect(JinjaTokenKind.Operator, ",");
                        if (Accept("]")) break;
                    }
                    items.Add(Expression());
                }
                return new ListExpression(items, IsTuple: false, token.Line);
            }
            case JinjaTokenKind.Operator when token.Value == "{":
            {
                var items = new List<(JinjaExpression, JinjaExpression)>();
                while (!Accept("}"))
                {
                    if (items.Count > 0)
                    {
                        Expect(JinjaTokenKind.Operator, ",");
                        if (Accept("}")) break;
                    }
                    var key = Expression();
                    Expect(JinjaTokenKind.Operator, ":");
                    items.Add((key, Expression()));
                }
                return new DictExpression(items, token.Line);
            }
            default:
                _position--;
                throw Error($"unexpected {token}.");
        }
    }

    private JinjaExpression Postfix(JinjaExpression node)
    {
        while (true)
        {
            var line = Current.Line;
            if (Accept("."))
            {
                var name = Current.Kind is JinjaTokenKind.Name or JinjaTokenKind.Integer ? Next().Value : throw Error($"expected an attribute name, found {Current}.");
                node = new AttributeExpression(node, name, line);
            }
            else if (Accept("[")) node = Subscript(node, line);
            else if (Current.IsOperator("(")) node = Call(node);
            else return node;
        }
    }

    private JinjaExpression Subscript(JinjaExpression target, int line)
    {
        JinjaExpression? start = null, stop = null, step = null;
        if (!Current.IsOperator(":")) start = Expression();
        if (!Accept(":"))
        {
            Expect(JinjaTokenKind.Operator, "]");
            return new IndexExpression(target, start!, line);
        }
        if (!Current.IsOperator(":") && !Current.IsOperator("]")) stop = Expression();
        if (Accept(":") && !Current.IsOperator("]")) step = Expression();
        Expect(JinjaTokenKind.Operator, "]");
        return new SliceExpression(target, start, stop, step, line);
    }

    private (List<JinjaExpression> Arguments, List<(string, JinjaExpression)> Keywords) Arguments()
    {
        Expect(JinjaTokenKind.Operator, "(");
        var arguments = new List<JinjaExpression>();
        var keywords = new List<(string, JinjaExpression)>();
        while (!Accept(")"))
        {
            if (arguments.Count + keywords.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, ",");
                if (Accept(")")) break;
            }
            if (Current.Kind == JinjaTokenKind.Name && _tokens[_position + 1].IsOperator("="))
            {
                var name = Next().Value;
                _position++;
                keywords.Add((name, Expression()));
            }
            else
            {
                if (keywords.Count > 0) throw Error("a positional argument follows a keyword argument.");
                arguments.Add(Expression());
            }
        }
        return (arguments, keywords);
    }

    private CallExpression Call(JinjaExpression callee)
    {
        var line = Current.Line;
        var (arguments, keywords) = Arguments();
        return new CallExpression(callee, arguments, keywords, line);
    }

    /// <summary>Filters (<c>| name(args)</c>), tests (<c>is [not] name args</c>) and calls after them, left to right.</summary>
    private JinjaExpression FilterChain(JinjaExpression node, bool first)
    {
        while (true)
        {
            var line = Current.Line;
            if (first || Accept("|"))
            {
                first = false;
                var name = ExpectName();
                while (Accept(".")) name += "." + ExpectName();
                var (arguments, keywords) = Current.IsOperator("(") ? Arguments() : ([], []);
                node = new FilterExpression(node, name, arguments, keywords, line);
            }
            else if (AcceptName("is"))
            {
                var negated = AcceptName("not");
                var name = ExpectName();
                List<JinjaExpression> arguments = [];
                if (Current.IsOperator("(")) arguments = Arguments().Arguments;
                else if (Current.Kind is JinjaTokenKind.Integer or JinjaTokenKind.Float or JinjaTokenKind.String || Current.IsOperator("[")
                         || Current.IsOperator("{") || (Current.Kind == JinjaTokenKind.Name && Current.Value is not ("and" or "or" or "else" or "if" or "in" or "not" or "is")))
                    arguments = [Postfix(Primary())]; // a test's single argument without parentheses: "is divisibleby 3", "is sameas none"
                node = new TestExpression(node, name, arguments, negated, line);
            }
            else if (Current.IsOperator("(")) node = Call(node);
            else return node;
        }
    }
}
