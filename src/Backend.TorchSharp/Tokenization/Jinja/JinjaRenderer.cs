namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// Renders a parsed template: Jinja's scoping (a <c>for</c> body and a macro have scopes of their own; <c>if</c> does not),
/// attribute and item lookup (attribute first, then item, undefined when neither exists), Python's operators, and bounds on loop
/// iterations, output length and macro depth, so that no template can render forever.
/// </summary>
internal sealed class JinjaRenderer
{
    private const int MaxIterations = 1_000_000;
    private const int MaxOutputChars = 32 << 20;
    private const int MaxDepth = 64;

    private readonly List<Dictionary<string, object?>> _scopes;
    private readonly Func<DateTime> _now;
    private int _iterations;
    private int _depth;

    public JinjaRenderer(IReadOnlyDictionary<string, object?> variables, Func<DateTime> now)
    {
        _scopes = [new Dictionary<string, object?>(variables, StringComparer.Ordinal), new Dictionary<string, object?>(StringComparer.Ordinal)];
        _now = now;
    }

    private sealed class BreakSignal : Exception;

    private sealed class ContinueSignal : Exception;

    public JinjaString Render(IReadOnlyList<JinjaNode> nodes)
    {
        var output = new JinjaString.Builder();
        try
        {
            Execute(nodes, output);
        }
        catch (Exception e) when (e is BreakSignal or ContinueSignal)
        {
            throw new ChatTemplateException("'break' or 'continue' outside a loop.");
        }
        return output.Build();
    }

    private void Execute(IReadOnlyList<JinjaNode> nodes, JinjaString.Builder output)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    Write(output, new JinjaString(text.Text), text.Line);
                    break;
                case OutputNode shown:
                    Write(output, JinjaPython.Str(Evaluate(shown.Value)), shown.Line);
                    break;
                case IfNode branch:
                {
                    var taken = false;
                    foreach (var (test, body) in branch.Branches)
                    {
                        if (!JinjaPython.Truthy(Evaluate(test))) continue;
                        Execute(body, output);
                        taken = true;
                        break;
                    }
                    if (!taken && branch.Else is { } otherwise) Execute(otherwise, output);
                    break;
                }
                case ForNode loop:
                    For(loop, output);
                    break;
                case SetNode set:
                    Assign(set.Target, set.Value is { } value ? Evaluate(value) : Capture(set.Body!), set.Line);
                    break;
                case MacroNode macro:
                    _scopes[^1][macro.Name] = Macro(macro);
                    break;
                case FilterBlockNode filter:
                {
                    _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["__block__"] = Capture(filter.Body) });
                    try
                    {
                        Write(output, JinjaPython.Str(Evaluate((JinjaExpression)filter.Filter)), filter.Line);
                    }
                    finally
                    {
                        _scopes.RemoveAt(_scopes.Count - 1);
                    }
                    break;
                }
                case GenerationNode generation:
                    Execute(generation.Body, output);
                    break;
                case BreakNode:
                    throw new BreakSignal();
                case ContinueNode:
                    throw new ContinueSignal();
                default:
                    throw new ChatTemplateException($"line {node.Line}: cannot execute {node.GetType().Name}.");
            }
        }
    }

    private static void Write(JinjaString.Builder output, JinjaString text, int line)
    {
        if (output.Length + text.Length > MaxOutputChars)
            throw new ChatTemplateException($"line {line}: the rendered prompt would exceed {MaxOutputChars} characters.");
        output.Append(text);
    }

    private JinjaString Capture(IReadOnlyList<JinjaNode> body)
    {
        var captured = new JinjaString.Builder();
        Execute(body, captured);
        return captured.Build();
    }

    private void For(ForNode loop, JinjaString.Builder output)
    {
        var items = JinjaPython.Iterate(Evaluate(loop.Iterable), loop.Line);
        if (loop.Filter is { } filter)
        {
            var kept = new List<object?>();
            foreach (var item in items)
            {
                _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));
                try
                {
                    Assign(loop.Target, item, loop.Line);
                    if (JinjaPython.Truthy(Evaluate(filter))) kept.Add(item);
                }
                finally
                {
                    _scopes.RemoveAt(_scopes.Count - 1);
                }
            }
            items = kept;
        }
        if (items.Count == 0)
        {
            if (loop.Else is { } otherwise) Execute(otherwise, output);
            return;
        }
        var state = new JinjaLoop(items);
        for (var i = 0; i < items.Count; i++)
        {
            if (++_iterations > MaxIterations) throw new ChatTemplateException($"line {loop.Line}: the template ran more than {MaxIterations} loop iterations.");
            state.Index0 = i;
            _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal) { ["loop"] = state });
            try
            {
                Assign(loop.Target, items[i], loop.Line);
                Execute(loop.Body, output);
            }
            catch (ContinueSignal)
            {
            }
            catch (BreakSignal)
            {
                break;
            }
            finally
            {
                _scopes.RemoveAt(_scopes.Count - 1);
            }
        }
    }

    private void Assign(JinjaExpression target, object? value, int line)
    {
        switch (target)
        {
            case NameExpression name:
                _scopes[^1][name.Name] = value;
                break;
            case ListExpression { IsTuple: true } tuple:
            {
                var items = value is List<object?> or object?[] ? JinjaPython.Items(value) : JinjaPython.Iterate(value, line);
                if (items.Count != tuple.Items.Count)
                    throw new ChatTemplateException($"line {line}: cannot unpack {items.Count} values into {tuple.Items.Count} names.");
                for (var i = 0; i < items.Count; i++) Assign(tuple.Items[i], items[i], line);
                break;
            }
            case AttributeExpression { Target: NameExpression owner } attribute:
                if (Lookup(owner.Name) is not JinjaNamespace ns)
                    throw new ChatTemplateException($"line {line}: cannot assign to an attribute of '{owner.Name}', which is not a namespace().");
                ns.Attributes[attribute.Name] = value;
                break;
            default:
                throw new ChatTemplateException($"line {line}: cannot assign to this expression.");
        }
    }

    private object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
            if (_scopes[i].TryGetValue(name, out var value)) return value;
        return JinjaBuiltins.Global(name, _now) ?? new JinjaUndefined(name);
    }

    private JinjaCallable Macro(MacroNode macro) => new(macro.Name, (arguments, keywords, line) =>
    {
        if (++_depth > MaxDepth) throw new ChatTemplateException($"line {line}: macros nest deeper than {MaxDepth}.");
        if (arguments.Count > macro.Parameters.Count) throw new ChatTemplateException($"line {line}: {macro.Name}() takes {macro.Parameters.Count} arguments.");
        var frame = new Dictionary<string, object?>(StringComparer.Ordinal);
        var saved = _scopes.GetRange(2, _scopes.Count - 2);
        _scopes.RemoveRange(2, _scopes.Count - 2);
        _scopes.Add(frame);
        try
        {
            for (var i = 0; i < macro.Parameters.Count; i++)
            {
                var (name, fallback) = macro.Parameters[i];
                frame[name] = i < arguments.Count ? arguments[i] : keywords.TryGetValue(name, out var given) ? given
                    : fallback is not null ? Evaluate(fallback) : new JinjaUndefined(name);
            }
            return Capture(macro.Body);
        }
        finally
        {
            _scopes.RemoveRange(2, _scopes.Count - 2);
            _scopes.AddRange(saved);
            _depth--;
        }
    });

    public object? Evaluate(JinjaExpression expression)
    {
        var line = expression.Line;
        switch (expression)
        {
            case LiteralExpression literal:
                return literal.Value;
            case NameExpression name:
                return Lookup(name.Name);
            case ListExpression list:
            {
                var items = list.Items.Select(Evaluate).ToList();
                return list.IsTuple ? items.ToArray() : items;
            }
            case DictExpression dict:
            {
                var result = new OrderedDictionary<object, object?>();
                foreach (var (key, value) in dict.Items)
                    result[Evaluate(key) ?? throw new ChatTemplateException($"line {line}: a dict key cannot be none.")] = Evaluate(value);
                return result;
            }
            case AttributeExpression attribute:
                return Attribute(Evaluate(attribute.Target), attribute.Name, line);
            case IndexExpression index:
                return Item(Evaluate(index.Target), Evaluate(index.Index), line);
            case SliceExpression slice:
                return Slice(Evaluate(slice.Target), slice.Start is null ? null : Evaluate(slice.Start), slice.Stop is null ? null : Evaluate(slice.Stop),
                    slice.Step is null ? null : Evaluate(slice.Step), line);
            case CallExpression call:
            {
                var callee = Evaluate(call.Callee);
                var arguments = call.Arguments.Select(Evaluate).ToList();
                var keywords = call.Keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value), StringComparer.Ordinal);
                return callee switch
                {
                    JinjaCallable function => function.Invoke(arguments, keywords, line),
                    JinjaUndefined undefined => throw undefined.Error(line),
                    _ => throw new ChatTemplateException($"line {line}: {JinjaPython.TypeName(callee)} is not callable."),
                };
            }
            case FilterExpression filter:
                return JinjaBuiltins.Filter(filter.Name, Evaluate(filter.Value), filter.Arguments.Select(Evaluate).ToList(),
                    filter.Keywords.ToDictionary(k => k.Name, k => Evaluate(k.Value), StringComparer.Ordinal), line, this);
            case TestExpression test:
                return JinjaBuiltins.Test(test.Name, Evaluate(test.Value), test.Arguments.Select(Evaluate).ToList(), line, this) != test.Negated;
            case UnaryExpression unary:
            {
                var operand = Evaluate(unary.Operand);
                return unary.Operator switch
                {
                    "not" => !JinjaPython.Truthy(operand),
                    "-" => operand switch
                    {
                        long n => (object)-n,
                        double d => -d,
                        bool b => b ? -1L : 0L,
                        JinjaUndefined u => throw u.Error(line),
                        _ => throw new ChatTemplateException($"line {line}: bad operand for unary -: {JinjaPython.TypeName(operand)}."),
                    },
                    _ => operand is long or double or bool ? operand : throw new ChatTemplateException($"line {line}: bad operand for unary +."),
                };
            }
            case BinaryExpression binary:
                return Binary(binary);
            case ConditionalExpression conditional:
                return JinjaPython.Truthy(Evaluate(conditional.Test)) ? Evaluate(conditional.Then)
                    : conditional.Else is { } otherwise ? Evaluate(otherwise) : new JinjaUndefined("the conditional expression's else");
            default:
                throw new ChatTemplateException($"line {line}: cannot evaluate {expression.GetType().Name}.");
        }
    }

    private object? Binary(BinaryExpression binary)
    {
        var line = binary.Line;
        switch (binary.Operator)
        {
            case "and":
            {
                var left = Evaluate(binary.Left);
                return JinjaPython.Truthy(left) ? Evaluate(binary.Right) : left;
            }
            case "or":
            {
                var left = Evaluate(binary.Left);
                return JinjaPython.Truthy(left) ? left : Evaluate(binary.Right);
            }
        }
        var (a, b) = (Evaluate(binary.Left), Evaluate(binary.Right));
        return binary.Operator switch
        {
            "==" => JinjaPython.Equals(a, b),
            "!=" => !JinjaPython.Equals(a, b),
            "<" => JinjaPython.Compare(a, b, line) < 0,
            "<=" => JinjaPython.Compare(a, b, line) <= 0,
            ">" => JinjaPython.Compare(a, b, line) > 0,
            ">=" => JinjaPython.Compare(a, b, line) >= 0,
            "in" => Contains(b, a, line),
            "not in" => !Contains(b, a, line),
            "~" => JinjaString.Concat(JinjaPython.Str(a), JinjaPython.Str(b)),
            _ => Arithmetic(binary.Operator, a, b, line),
        };
    }

    public static bool Contains(object? container, object? item, int line) => container switch
    {
        JinjaString s => item is JinjaString needle ? s.Text.Contains(needle.Text, StringComparison.Ordinal)
            : throw new ChatTemplateException($"line {line}: 'in <string>' needs a string on the left, not {JinjaPython.TypeName(item)}."),
        List<object?> or object?[] => JinjaPython.Items(container).Any(i => JinjaPython.Equals(i, item)),
        OrderedDictionary<object, object?> dict => item is not null && dict.ContainsKey(item),
        JinjaUndefined => false,
        _ => throw new ChatTemplateException($"line {line}: argument of type {JinjaPython.TypeName(container)} is not iterable."),
    };

    public static object? Arithmetic(string op, object? a, object? b, int line)
    {
        if (a is JinjaUndefined ua) throw ua.Error(line);
        if (b is JinjaUndefined ub) throw ub.Error(line);
        if (a is long or bool && b is long or bool)
        {
            var (x, y) = ((long)JinjaPython.Number(a), (long)JinjaPython.Number(b));
            return op switch
            {
                "+" => (object)(x + y),
                "-" => x - y,
                "*" => x * y,
                "/" => y == 0 ? throw Zero(line) : (double)x / y,
                "//" => y == 0 ? throw Zero(line) : FloorDivide(x, y),
                "%" => y == 0 ? throw Zero(line) : ((x % y) + y) % y,
                "**" => y >= 0 ? (object)(long)Math.Pow(x, y) : Math.Pow(x, y),
                _ => throw new ChatTemplateException($"line {line}: unknown operator {op}."),
            };
        }
        if (JinjaPython.IsNumber(a) && JinjaPython.IsNumber(b))
        {
            var (x, y) = (JinjaPython.Number(a), JinjaPython.Number(b));
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => y == 0 ? throw Zero(line) : x / y,
                "//" => y == 0 ? throw Zero(line) : Math.Floor(x / y),
                "%" => y == 0 ? throw Zero(line) : x - y * Math.Floor(x / y),
                "**" => Math.Pow(x, y),
                _ => throw new ChatTemplateException($"line {line}: unknown operator {op}."),
            };
        }
        switch (op, a, b)
        {
            case ("+", JinjaString x, JinjaString y):
                return JinjaString.Concat(x, y);
            case ("+", List<object?> x, List<object?> y):
                return x.Concat(y).ToList();
            case ("+", object?[] x, object?[] y):
                return x.Concat(y).ToArray();
            case ("*", JinjaString x, long n):
            {
                if ((long)x.Length * Math.Max(0, n) > MaxOutputChars) throw new ChatTemplateException($"line {line}: the repeated string would be too long.");
                var builder = new JinjaString.Builder();
                for (var i = 0; i < n; i++) builder.Append(x);
                return builder.Build();
            }
            case ("*", List<object?> x, long n):
                return n * x.Count > MaxIterations ? throw new ChatTemplateException($"line {line}: the repeated list would be too long.")
                    : Enumerable.Repeat(x, (int)Math.Max(0, n)).SelectMany(l => l).ToList();
        }
        throw new ChatTemplateException($"line {line}: unsupported operand types for {op}: {JinjaPython.TypeName(a)} and {JinjaPython.TypeName(b)}.");
    }

    private static long FloorDivide(long x, long y) => x / y - ((x % y != 0) && ((x < 0) != (y < 0)) ? 1 : 0);

    private static ChatTemplateException Zero(int line) => new($"line {line}: division by zero.");

    /// <summary>Jinja's <c>a.b</c>: the attribute (a method of str, dict or list, a namespace's or the loop's) or else the item; undefined when neither.</summary>
    public static object? Attribute(object? target, string name, int line)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error(line);
            case JinjaNamespace ns:
                return ns.Attributes.TryGetValue(name, out var value) ? value : new JinjaUndefined(name);
            case JinjaLoop loop:
                return loop.Attribute(name, line);
        }
        if (JinjaBuiltins.Method(target, name) is { } method) return method;
        if (target is OrderedDictionary<object, object?> dict && dict.TryGetValue(new JinjaString(name), out var item)) return item;
        return new JinjaUndefined(name);
    }

    /// <summary>Jinja's <c>a[b]</c>: the item, or else the attribute of that name; undefined when neither.</summary>
    private static object? Item(object? target, object? key, int line)
    {
        switch (target)
        {
            case JinjaUndefined undefined:
                throw undefined.Error(line);
            case OrderedDictionary<object, object?> dict when key is not null && dict.TryGetValue(key, out var value):
                return value;
            case List<object?> or object?[] when key is long or bool:
            {
                var items = JinjaPython.Items(target);
                var i = (long)JinjaPython.Number(key);
                if (i < 0) i += items.Count;
                return i >= 0 && i < items.Count ? items[(int)i] : new JinjaUndefined($"index {key}");
            }
            case JinjaString s when key is long n:
            {
                var i = n < 0 ? n + s.Length : n;
                return i >= 0 && i < s.Length ? s.Substring((int)i, 1) : new JinjaUndefined($"index {n}");
            }
        }
        return key is JinjaString name ? Attribute(target, name.Text, line) : new JinjaUndefined($"[{JinjaPython.Repr(key)}]");
    }

    private static object? Slice(object? target, object? start, object? stop, object? step, int line)
    {
        long? Bound(object? value) => value switch
        {
            null => null,
            long n => n,
            bool b => b ? 1 : 0,
            _ => throw new ChatTemplateException($"line {line}: slice indices must be whole numbers or none."),
        };
        var length = target switch
        {
            JinjaString s => s.Length,
            List<object?> or object?[] => JinjaPython.Items(target).Count,
            JinjaUndefined u => throw u.Error(line),
            _ => throw new ChatTemplateException($"line {line}: {JinjaPython.TypeName(target)} cannot be sliced."),
        };
        var stride = Bound(step) ?? 1;
        if (stride == 0) throw new ChatTemplateException($"line {line}: slice step cannot be zero.");
        long Clamp(long? value, long fallback, long low, long high)
        {
            if (value is not { } v) return fallback;
            if (v < 0) v += length;
            return Math.Clamp(v, low, high);
        }
        var indices = new List<int>();
        if (stride > 0)
        {
            var (from, to) = (Clamp(Bound(start), 0, 0, length), Clamp(Bound(stop), length, 0, length));
            for (var i = from; i < to; i += stride) indices.Add((int)i);
        }
        else
        {
            var (from, to) = (Clamp(Bound(start), length - 1, -1, length - 1), Clamp(Bound(stop), -1, -1, length - 1));
            if (Bound(stop) is { } explicitStop && explicitStop + length < 0) to = -1;
            for (var i = from; i > to; i += stride) indices.Add((int)i);
        }
        switch (target)
        {
            case JinjaString s when stride == 1:
                return indices.Count == 0 ? JinjaString.Empty : s.Substring(indices[0], indices.Count);
            case JinjaString s:
            {
                var builder = new JinjaString.Builder();
                foreach (var i in indices) builder.Append(s.Substring(i, 1));
                return builder.Build();
            }
            case object?[] tuple:
                return indices.Select(i => tuple[i]).ToArray();
            default:
                var list = JinjaPython.Items(target);
                return indices.Select(i => list[i]).ToList();
        }
    }
}
