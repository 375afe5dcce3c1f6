using System.Globalization;
using System.Text;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// Python's semantics for the values a template handles (None, bool, int, float, str, list, tuple, dict): truth, <c>str()</c>,
/// <c>repr()</c>, equality, ordering, arithmetic, and <c>json.dumps</c> as transformers' <c>tojson</c> calls it (non-ASCII kept).
/// Lists are <see cref="List{T}"/>, tuples <c>object?[]</c>, dicts <see cref="OrderedDictionary{TKey, TValue}"/>, strings <see cref="JinjaString"/>.
/// </summary>
internal static class JinjaPython
{
    public static bool Truthy(object? value) => value switch
    {
        null or JinjaUndefined => false,
        bool b => b,
        long n => n != 0,
        double d => d != 0,
        JinjaString s => s.Length > 0,
        List<object?> list => list.Count > 0,
        object?[] tuple => tuple.Length > 0,
        OrderedDictionary<object, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        JinjaUndefined => "Undefined",
        bool => "bool",
        long => "int",
        double => "float",
        JinjaString => "str",
        List<object?> => "list",
        object?[] => "tuple",
        OrderedDictionary<object, object?> => "dict",
        JinjaNamespace => "Namespace",
        JinjaCallable => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Python's <c>str()</c>, as Jinja prints a value.</summary>
    public static JinjaString Str(object? value) => value switch
    {
        JinjaString s => s,
        JinjaUndefined => JinjaString.Empty,
        List<object?> or object?[] or OrderedDictionary<object, object?> => Marked(value, Repr(value)),
        _ => new JinjaString(Repr(value)),
    };

    private static JinjaString Marked(object? container, string text) => HasData(container) ? JinjaString.FromData(text) : new JinjaString(text);

    /// <summary>Whether a value holds a string that came from data.</summary>
    public static bool HasData(object? value) => value switch
    {
        JinjaString s => s.HasData,
        List<object?> list => list.Any(HasData),
        object?[] tuple => tuple.Any(HasData),
        OrderedDictionary<object, object?> dict => dict.Any(p => HasData(p.Key) || HasData(p.Value)),
        _ => false,
    };

    /// <summary>Python's <c>repr()</c>.</summary>
    public static string Repr(object? value) => value switch
    {
        null => "None",
        JinjaUndefined => "Undefined",
        bool b => b ? "True" : "False",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => Float(d),
        JinjaString s => ReprString(s.Text),
        List<object?> list => "[" + string.Join(", ", list.Select(Repr)) + "]",
        object?[] tuple => tuple.Length == 1 ? "(" + Repr(tuple[0]) + ",)" : "(" + string.Join(", ", tuple.Select(Repr)) + ")",
        OrderedDictionary<object, object?> dict => "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        JinjaNamespace => "<Namespace>",
        _ => value.ToString() ?? "",
    };

    private static string ReprString(string text)
    {
        var quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote) builder.Append('\\').Append(c);
                    else if (c < 0x20 || c == 0x7f) builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        return builder.Append(quote).ToString();
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, scientific below 1e-4 and from 1e16, ".0" on whole numbers.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        if (value == 0) return double.IsNegative(value) ? "-0.0" : "0.0";
        // The shortest digits that round-trip: "R" gives them, in either notation; normalize to digits and a decimal exponent.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative) shortest = shortest[1..];
        int exponent;
        string mantissa;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(shortest[(e + 1)..], CultureInfo.InvariantCulture);
            mantissa = shortest[..e];
        }
        else
        {
            exponent = 0;
            mantissa = shortest;
        }
        var dot = mantissa.IndexOf('.');
        var digits = mantissa.Replace(".", "", StringComparison.Ordinal);
        var pointAt = (dot < 0 ? mantissa.Length : dot) + exponent; // digits before the decimal point
        var leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.TrimStart('0');
        pointAt -= leading;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0) digits = "0";
        var decimalExponent = pointAt - 1; // of the first significant digit
        string result;
        if (decimalExponent < -4 || decimalExponent >= 16)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            result = $"{digits[0]}{fraction}e{(decimalExponent < 0 ? "-" : "+")}{Math.Abs(decimalExponent):00}";
        }
        else if (pointAt <= 0) result = "0." + new string('0', -pointAt) + digits;
        else if (pointAt >= digits.Length) result = digits + new string('0', pointAt - digits.Length) + ".0";
        else result = digits[..pointAt] + "." + digits[pointAt..];
        return negative ? "-" + result : result;
    }

    public static new bool Equals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (JinjaUndefined, JinjaUndefined) => true,
        (null, _) or (_, null) or (JinjaUndefined, _) or (_, JinjaUndefined) => false,
        (JinjaString x, JinjaString y) => x.Equals(y),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Equals(p.First, p.Second)),
        (object?[] x, object?[] y) => x.Length == y.Length && x.Zip(y).All(p => Equals(p.First, p.Second)),
        (OrderedDictionary<object, object?> x, OrderedDictionary<object, object?> y) =>
            x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var other) && Equals(p.Value, other)),
        _ when IsNumber(a) && IsNumber(b) => Number(a) == Number(b),
        _ => ReferenceEquals(a, b),
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    public static double Number(object? value) => value switch
    {
        long n => n,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException(),
    };

    /// <summary>Python's ordering of two numbers, two strings or two sequences; anything else is a TypeError.</summary>
    public static int Compare(object? a, object? b, int line)
    {
        if (IsNumber(a) && IsNumber(b)) return Number(a).CompareTo(Number(b));
        if (a is JinjaString x && b is JinjaString y) return string.CompareOrdinal(x.Text, y.Text);
        if (a is List<object?> or object?[] && b is List<object?> or object?[])
        {
            var (left, right) = (Items(a), Items(b));
            for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
            {
                if (Equals(left[i], right[i])) continue;
                return Compare(left[i], right[i], line);
            }
            return left.Count.CompareTo(right.Count);
        }
        if (a is JinjaUndefined u) throw u.Error(line);
        if (b is JinjaUndefined v) throw v.Error(line);
        throw new ChatTemplateException($"line {line}: cannot compare {TypeName(a)} with {TypeName(b)}.");
    }

    /// <summary>The items of a list or tuple.</summary>
    public static IReadOnlyList<object?> Items(object? value) => value switch
    {
        List<object?> list => list,
        object?[] tuple => tuple,
        _ => throw new InvalidCastException(),
    };

    /// <summary>What a <c>for</c> loop or a filter iterates: a list's items, a dict's keys, a string's characters, nothing for undefined.</summary>
    public static IReadOnlyList<object?> Iterate(object? value, int line) => value switch
    {
        List<object?> list => [.. list],
        object?[] tuple => tuple,
        OrderedDictionary<object, object?> dict => [.. dict.Keys],
        JinjaString s => [.. Enumerable.Range(0, s.Length).Select(i => (object?)s.Substring(i, 1))],
        JinjaUndefined => [],
        _ => throw new ChatTemplateException($"line {line}: {TypeName(value)} is not iterable."),
    };

    /// <summary>Python's <c>len()</c>.</summary>
    public static long Length(object? value, int line) => value switch
    {
        JinjaString s => s.Length,
        List<object?> list => list.Count,
        object?[] tuple => tuple.Length,
        OrderedDictionary<object, object?> dict => dict.Count,
        JinjaUndefined => 0,
        _ => throw new ChatTemplateException($"line {line}: {TypeName(value)} has no length."),
    };

    /// <summary>Python's <c>json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sortKeys)</c> with its default separators.</summary>
    public static string Json(object? value, int? indent, bool sortKeys, int line)
    {
        var builder = new StringBuilder();
        WriteJson(builder, value, indent, sortKeys, 0, line);
        return builder.ToString();
    }

    private static void WriteJson(StringBuilder builder, object? value, int? indent, bool sortKeys, int depth, int line)
    {
        if (depth > 64) throw new ChatTemplateException($"line {line}: tojson: the value is nested deeper than 64 levels.");
        void NewLine(int level)
        {
            if (indent is { } width) builder.Append('\n').Append(' ', width * level);
        }
        var itemSeparator = indent is null ? ", " : ",";
        switch (value)
        {
            case null or JinjaUndefined:
                if (value is JinjaUndefined u) throw new ChatTemplateException($"line {line}: tojson: '{u.Name}' is undefined.");
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long n:
                builder.Append(n.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : Float(d));
                break;
            case JinjaString s:
                JsonString(builder, s.Text);
                break;
            case List<object?> or object?[]:
            {
                var items = Items(value);
                if (items.Count == 0)
                {
                    builder.Append("[]");
                    break;
                }
                builder.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    if (i > 0) builder.Append(itemSeparator);
                    NewLine(depth + 1);
                    WriteJson(builder, items[i], indent, sortKeys, depth + 1, line);
                }
                NewLine(depth);
                builder.Append(']');
                break;
            }
            case OrderedDictionary<object, object?> dict:
            {
                if (dict.Count == 0)
                {
                    builder.Append("{}");
                    break;
                }
                builder.Append('{');
                var entries = sortKeys ? dict.OrderBy(p => Str(p.Key).Text, StringComparer.Ordinal).ToList() : [.. dict];
                for (var i = 0; i < entries.Count; i++)
                {
                    if (i > 0) builder.Append(itemSeparator);
                    NewLine(depth + 1);
                    var key = entries[i].Key switch
                    {
                        JinjaString s => s.Text,
                        bool b => b ? "true" : "false",
                        null => "null",
                        var other => Repr(other),
                    };
                    JsonString(builder, key);
                    builder.Append(": ");
                    WriteJson(builder, entries[i].Value, indent, sortKeys, depth + 1, line);
                }
                NewLine(depth);
                builder.Append('}');
                break;
            }
            default:
                throw new ChatTemplateException($"line {line}: tojson: {TypeName(value)} is not JSON serializable.");
        }
    }

    private static void JsonString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20) builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else builder.Append(c);
                    break;
            }
        }
        builder.Append('"');
    }
}
