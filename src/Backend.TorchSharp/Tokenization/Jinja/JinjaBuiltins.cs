using System.Globalization;
using System.Text;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// Jinja's built-in filters and tests, the Python <c>str</c>, <c>dict</c> and <c>list</c> methods a sandboxed template may call (none
/// that mutates), and the globals transformers provides (<c>raise_exception</c>, <c>strftime_now</c>) beside Jinja's (<c>range</c>,
/// <c>namespace</c>, <c>dict</c>).
/// </summary>
internal static class JinjaBuiltins
{
    /// <summary>The most items <c>range</c> makes, so that a template cannot exhaust memory.</summary>
    private const long MaxRange = 1_000_000;

    public static object? Global(string name, Func<DateTime> now) => name switch
    {
        "range" => new JinjaCallable("range", (a, _, line) => Range(a, line)),
        "namespace" => new JinjaCallable("namespace", (a, k, line) =>
        {
            var ns = new JinjaNamespace();
            foreach (var argument in a)
            {
                if (argument is not OrderedDictionary<object, object?> initial) throw new ChatTemplateException($"line {line}: namespace() takes a dict or keywords.");
                foreach (var (key, value) in initial) ns.Attributes[JinjaPython.Str(key).Text] = value;
            }
            foreach (var (key, value) in k) ns.Attributes[key] = value;
            return ns;
        }),
        "dict" => new JinjaCallable("dict", (_, k, _) =>
        {
            var dict = new OrderedDictionary<object, object?>();
            foreach (var (key, value) in k) dict[new JinjaString(key)] = value;
            return dict;
        }),
        "raise_exception" => new JinjaCallable("raise_exception", (a, _, line) =>
            throw new ChatTemplateException(a.Count > 0 ? JinjaPython.Str(a[0]).Text : $"the template raised an exception at line {line}.") { RaisedByTemplate = true }),
        "strftime_now" => new JinjaCallable("strftime_now", (a, _, line) =>
            new JinjaString(Strftime(now(), a.Count > 0 && a[0] is JinjaString f ? f.Text : throw new ChatTemplateException($"line {line}: strftime_now needs a format string.")))),
        _ => null,
    };

    private static List<object?> Range(IReadOnlyList<object?> a, int line)
    {
        long Int(object? v) => v is long n ? n : v is bool b ? (b ? 1 : 0) : throw new ChatTemplateException($"line {line}: range() takes whole numbers.");
        var (start, stop, step) = a.Count switch
        {
            1 => (0L, Int(a[0]), 1L),
            2 => (Int(a[0]), Int(a[1]), 1L),
            3 => (Int(a[0]), Int(a[1]), Int(a[2])),
            _ => throw new ChatTemplateException($"line {line}: range() takes 1 to 3 arguments."),
        };
        if (step == 0) throw new ChatTemplateException($"line {line}: range() step must not be zero.");
        var count = step > 0 ? Math.Max(0, (stop - start + step - 1) / step) : Math.Max(0, (start - stop - step - 1) / -step);
        if (count > MaxRange) throw new ChatTemplateException($"line {line}: range() of {count} items is more than the {MaxRange} a template may make.");
        var result = new List<object?>((int)count);
        for (var i = 0L; i < count; i++) result.Add(start + i * step);
        return result;
    }

    /// <summary>Python's <c>strftime</c> for the directives date formats use.</summary>
    private static string Strftime(DateTime time, string format)
    {
        var builder = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                builder.Append(format[i]);
                continue;
            }
            var d = format[++i];
            builder.Append(d switch
            {
                'd' => time.Day.ToString("00", culture),
                'm' => time.Month.ToString("00", culture),
                'Y' => time.Year.ToString("0000", culture),
                'y' => (time.Year % 100).ToString("00", culture),
                'H' => time.Hour.ToString("00", culture),
                'I' => ((time.Hour + 11) % 12 + 1).ToString("00", culture),
                'M' => time.Minute.ToString("00", culture),
                'S' => time.Second.ToString("00", culture),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' => time.ToString("MMM", culture),
                'B' => time.ToString("MMMM", culture),
                'a' => time.ToString("ddd", culture),
                'A' => time.ToString("dddd", culture),
                'j' => time.DayOfYear.ToString("000", culture),
                'e' => time.Day.ToString(culture).PadLeft(2),
                '%' => "%",
                _ => "%" + d,
            });
        }
        return builder.ToString();
    }

    public static object? Filter(string name, object? value, IReadOnlyList<object?> a, IReadOnlyDictionary<string, object?> k, int line, JinjaRenderer renderer)
    {
        object? Arg(int index, string key, object? fallback) => index < a.Count ? a[index] : k.TryGetValue(key, out var v) ? v : fallback;
        switch (name)
        {
            case "tojson":
            {
                var indent = Arg(0, "indent", null) is long n ? (int?)n : null;
                var text = JinjaPython.Json(value, indent, JinjaPython.Truthy(Arg(3, "sort_keys", false)), line);
                return JinjaPython.HasData(value) ? JinjaString.FromData(text) : new JinjaString(text);
            }
            case "trim":
                return Strip(Text(value, name, line), Arg(0, "chars", null), left: true, right: true);
            case "length" or "count":
                return JinjaPython.Length(value, line);
            case "string":
                return JinjaPython.Str(value);
            case "safe" or "e" or "escape" or "forceescape":
                if (name is "safe") return value;
                var escaped = JinjaPython.Str(value);
                return escaped.Map(escaped.Text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
                    .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&#34;", StringComparison.Ordinal).Replace("'", "&#39;", StringComparison.Ordinal));
            case "lower" or "upper" or "title" or "capitalize":
                return StringMethod(name, Text(value, name, line), a, line);
            case "replace":
                return StringMethod("replace", Text(value, name, line), a, line);
            case "default" or "d":
            {
                var fallback = Arg(0, "default_value", new JinjaString(""));
                var boolean = JinjaPython.Truthy(Arg(1, "boolean", false));
                return value is JinjaUndefined || (boolean && !JinjaPython.Truthy(value)) ? fallback : value;
            }
            case "first":
                return JinjaPython.Iterate(value, line) is { Count: > 0 } firstItems ? firstItems[0] : new JinjaUndefined("first");
            case "last":
                return JinjaPython.Iterate(value, line) is { Count: > 0 } lastItems ? lastItems[^1] : new JinjaUndefined("last");
            case "list":
                return JinjaPython.Iterate(value, line).ToList();
            case "reverse":
                return value is JinjaString rs ? rs.Map(new string(rs.Text.Reverse().ToArray())) : JinjaPython.Iterate(value, line).Reverse().ToList();
            case "join":
            {
                var separator = Arg(0, "d", new JinjaString("")) is JinjaString sep ? sep : JinjaPython.Str(Arg(0, "d", null));
                var attribute = Arg(1, "attribute", null);
                var builder = new JinjaString.Builder();
                var first = true;
                foreach (var item in JinjaPython.Iterate(value, line))
                {
                    if (!first) builder.Append(separator);
                    first = false;
                    builder.Append(JinjaPython.Str(attribute is null ? item : JinjaRenderer.Attribute(item, JinjaPython.Str(attribute).Text, line)));
                }
                return builder.Build();
            }
            case "int":
                return ToInt(value, Arg(0, "default", 0L));
            case "float":
                return ToFloat(value, Arg(0, "default", 0.0));
            case "abs":
                return value switch { long n => (object)Math.Abs(n), double f => Math.Abs(f), _ => throw new ChatTemplateException($"line {line}: abs needs a number.") };
            case "round":
            {
                var precision = Arg(0, "precision", 0L) is long p ? (int)p : 0;
                return Math.Round(JinjaPython.Number(value), precision, MidpointRounding.AwayFromZero);
            }
            case "items":
                return value is OrderedDictionary<object, object?> dict ? dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList()
                    : value is JinjaUndefined ? [] : throw new ChatTemplateException($"line {line}: items needs a dict.");
            case "dictsort":
                return value is OrderedDictionary<object, object?> sortable
                    ? sortable.OrderBy(p => JinjaPython.Str(p.Key).Text.ToLowerInvariant(), StringComparer.Ordinal).Select(p => (object?)new object?[] { p.Key, p.Value }).ToList()
                    : throw new ChatTemplateException($"line {line}: dictsort needs a dict.");
            case "sort":
            {
                var items = JinjaPython.Iterate(value, line).ToList();
                var attribute = Arg(2, "attribute", null) is JinjaString at ? at.Text : null;
                object? Key(object? item) => attribute is null ? item : JinjaRenderer.Attribute(item, attribute, line);
                items.Sort((x, y) => JinjaPython.Compare(Key(x), Key(y), line));
                if (JinjaPython.Truthy(Arg(0, "reverse", false))) items.Reverse();
                return items;
            }
            case "unique":
            {
                var result = new List<object?>();
                foreach (var item in JinjaPython.Iterate(value, line))
                    if (!result.Any(r => JinjaPython.Equals(r, item))) result.Add(item);
                return result;
            }
            case "min" or "max":
            {
                var items = JinjaPython.Iterate(value, line);
                if (items.Count == 0) return new JinjaUndefined(name);
                var best = items[0];
                foreach (var item in items.Skip(1))
                    if ((JinjaPython.Compare(item, best, line) < 0) == (name == "min") && !JinjaPython.Equals(item, best)) best = item;
                return best;
            }
            case "sum":
            {
                object? total = Arg(1, "start", 0L);
                foreach (var item in JinjaPython.Iterate(value, line)) total = JinjaRenderer.Arithmetic("+", total, item, line);
                return total;
            }
            case "map":
            {
                var items = JinjaPython.Iterate(value, line);
                if (k.TryGetValue("attribute", out var attribute))
                    return items.Select(item => JinjaRenderer.Attribute(item, JinjaPython.Str(attribute).Text, line)).ToList();
                if (a.Count == 0 || a[0] is not JinjaString filter) throw new ChatTemplateException($"line {line}: map needs a filter name or attribute=.");
                return items.Select(item => Filter(filter.Text, item, [.. a.Skip(1)], new Dictionary<string, object?>(), line, renderer)).ToList();
            }
            case "select" or "reject":
            {
                var keep = name == "select";
                return JinjaPython.Iterate(value, line).Where(item => (a.Count == 0 ? JinjaPython.Truthy(item)
                    : Test(JinjaPython.Str(a[0]).Text, item, [.. a.Skip(1)], line, renderer)) == keep).ToList();
            }
            case "selectattr" or "rejectattr":
            {
                var keep = name == "selectattr";
                if (a.Count == 0) throw new ChatTemplateException($"line {line}: {name} needs an attribute name.");
                var attribute = JinjaPython.Str(a[0]).Text;
                return JinjaPython.Iterate(value, line).Where(item =>
                {
                    var field = JinjaRenderer.Attribute(item, attribute, line);
                    return (a.Count == 1 ? JinjaPython.Truthy(field) : Test(JinjaPython.Str(a[1]).Text, field, [.. a.Skip(2)], line, renderer)) == keep;
                }).ToList();
            }
            case "attr":
                return JinjaRenderer.Attribute(value, JinjaPython.Str(Arg(0, "name", null)).Text, line);
            case "indent":
            {
                var text = Text(value, name, line);
                var width = Arg(0, "width", 4L) switch { long n => new string(' ', (int)n), JinjaString s => s.Text, _ => "    " };
                var first = JinjaPython.Truthy(Arg(1, "first", false));
                var blank = JinjaPython.Truthy(Arg(2, "blank", false));
                var lines = text.Text.Split('\n');
                var result = new StringBuilder();
                for (var i = 0; i < lines.Length; i++)
                {
                    if (i > 0) result.Append('\n');
                    if ((i > 0 || first) && (blank || lines[i].Length > 0)) result.Append(width);
                    result.Append(lines[i]);
                }
                return text.Map(result.ToString());
            }
            case "wordcount":
                return (long)Text(value, name, line).Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
            case "batch" or "slice" or "format" or "center" or "truncate" or "wordwrap" or "urlencode" or "urlize" or "xmlattr" or "filesizeformat" or "pprint":
                throw new ChatTemplateException($"line {line}: the filter '{name}' is not supported in chat templates here.");
            default:
                throw new ChatTemplateException($"line {line}: no filter named '{name}'.");
        }
    }

    private static JinjaString Text(object? value, string filter, int line) => value switch
    {
        JinjaString s => s,
        JinjaUndefined => JinjaString.Empty,
        _ => JinjaPython.Str(value),
    };

    private static object? ToInt(object? value, object? fallback) => value switch
    {
        long n => (object)n,
        bool b => b ? 1L : 0L,
        double d => (long)Math.Truncate(d),
        JinjaString s when long.TryParse(s.Text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
        JinjaString s when double.TryParse(s.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => (long)Math.Truncate(d),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long n => (object)(double)n,
        double d => d,
        bool b => b ? 1.0 : 0.0,
        JinjaString s when double.TryParse(s.Text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => fallback,
    };

    public static bool Test(string name, object? value, IReadOnlyList<object?> a, int line, JinjaRenderer renderer)
    {
        object? Arg() => a.Count > 0 ? a[0] : throw new ChatTemplateException($"line {line}: the test '{name}' needs an argument.");
        return name switch
        {
            "defined" => value is not JinjaUndefined,
            "undefined" => value is JinjaUndefined,
            "none" => value is null,
            "string" => value is JinjaString,
            "number" => value is long or double,
            "integer" => value is long,
            "float" => value is double,
            "boolean" => value is bool,
            "true" => value is true,
            "false" => value is false,
            "mapping" => value is OrderedDictionary<object, object?>,
            "sequence" => value is List<object?> or object?[] or JinjaString or OrderedDictionary<object, object?>,
            "iterable" => value is List<object?> or object?[] or JinjaString or OrderedDictionary<object, object?>,
            "callable" => value is JinjaCallable,
            "odd" => value is long o ? o % 2 != 0 : throw new ChatTemplateException($"line {line}: 'odd' needs a whole number."),
            "even" => value is long v ? v % 2 == 0 : throw new ChatTemplateException($"line {line}: 'even' needs a whole number."),
            "divisibleby" => value is long n && Arg() is long m && m != 0 ? n % m == 0 : throw new ChatTemplateException($"line {line}: 'divisibleby' needs whole numbers."),
            "eq" or "equalto" or "==" => JinjaPython.Equals(value, Arg()),
            "ne" or "!=" => !JinjaPython.Equals(value, Arg()),
            "lt" or "lessthan" or "<" => JinjaPython.Compare(value, Arg(), line) < 0,
            "le" or "<=" => JinjaPython.Compare(value, Arg(), line) <= 0,
            "gt" or "greaterthan" or ">" => JinjaPython.Compare(value, Arg(), line) > 0,
            "ge" or ">=" => JinjaPython.Compare(value, Arg(), line) >= 0,
            "in" => JinjaRenderer.Contains(Arg(), value, line),
            "sameas" => ReferenceEquals(value, Arg()) || (value is null && Arg() is null) || (value is bool x && Arg() is bool y && x == y),
            // Python's str.islower / isupper: at least one cased character, and none of the other case.
            "lower" => value is JinjaString lower && lower.Text.Any(char.IsLower) && !lower.Text.Any(char.IsUpper),
            "upper" => value is JinjaString upper && upper.Text.Any(char.IsUpper) && !upper.Text.Any(char.IsLower),
            _ => throw new ChatTemplateException($"line {line}: no test named '{name}'."),
        };
    }

    /// <summary>A method of a string, dict or list, bound to it; null when there is none of that name.</summary>
    public static JinjaCallable? Method(object? target, string name) => target switch
    {
        JinjaString s when StringMethods.Contains(name) => new JinjaCallable(name, (a, _, line) => StringMethod(name, s, a, line)),
        OrderedDictionary<object, object?> dict when name is "items" or "keys" or "values" or "get" => new JinjaCallable(name, (a, _, line) => name switch
        {
            "items" => dict.Select(p => (object?)new object?[] { p.Key, p.Value }).ToList(),
            "keys" => dict.Keys.ToList<object?>(),
            "values" => dict.Values.ToList(),
            _ => a.Count is 1 or 2 ? (a[0] is not null && dict.TryGetValue(a[0]!, out var found) ? found : a.Count == 2 ? a[1] : null)
                : throw new ChatTemplateException($"line {line}: get() takes a key and an optional default."),
        }),
        List<object?> or object?[] when name is "index" or "count" => new JinjaCallable(name, (a, _, line) =>
        {
            var items = JinjaPython.Items(target);
            if (a.Count != 1) throw new ChatTemplateException($"line {line}: {name}() takes one argument.");
            if (name == "count") return (long)items.Count(i => JinjaPython.Equals(i, a[0]));
            for (var i = 0; i < items.Count; i++) if (JinjaPython.Equals(items[i], a[0])) return (long)i;
            throw new ChatTemplateException($"line {line}: the value is not in the list.");
        }),
        _ => null,
    };

    private static readonly HashSet<string> StringMethods = new(StringComparer.Ordinal)
    {
        "startswith", "endswith", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "replace", "upper", "lower", "title", "capitalize",
        "find", "rfind", "count", "join", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "swapcase",
    };

    private static object? StringMethod(string name, JinjaString s, IReadOnlyList<object?> a, int line)
    {
        string? StringArg(int i) => i < a.Count ? a[i] switch
        {
            null => null,
            JinjaString text => text.Text,
            var other => throw new ChatTemplateException($"line {line}: {name}() takes strings, not {JinjaPython.TypeName(other)}."),
        } : null;
        var text = s.Text;
        switch (name)
        {
            case "startswith" or "endswith":
            {
                var options = a.Count > 0 && a[0] is object?[] tuple ? tuple.Select(t => JinjaPython.Str(t).Text).ToArray() : [StringArg(0) ?? ""];
                return options.Any(o => name == "startswith" ? text.StartsWith(o, StringComparison.Ordinal) : text.EndsWith(o, StringComparison.Ordinal));
            }
            case "strip": return Strip(s, a.Count > 0 ? a[0] : null, true, true);
            case "lstrip": return Strip(s, a.Count > 0 ? a[0] : null, true, false);
            case "rstrip": return Strip(s, a.Count > 0 ? a[0] : null, false, true);
            case "split" or "rsplit":
                return Split(s, StringArg(0), a.Count > 1 && a[1] is long max ? (int)max : -1, name == "rsplit");
            case "splitlines":
                return SplitLines(s);
            case "replace":
            {
                var (old, replacement) = (StringArg(0) ?? "", StringArg(1) ?? "");
                var count = a.Count > 2 && a[2] is long c ? (int)c : -1;
                if (old.Length == 0 && count < 0) return s.Map(replacement + string.Join(replacement, text.Select(ch => ch.ToString())) + replacement);
                var result = new StringBuilder();
                var position = 0;
                var done = 0;
                while (count < 0 || done < count)
                {
                    var at = text.IndexOf(old, position, StringComparison.Ordinal);
                    if (at < 0 || old.Length == 0) break;
                    result.Append(text, position, at - position).Append(replacement);
                    position = at + old.Length;
                    done++;
                }
                result.Append(text, position, text.Length - position);
                var replaced = result.ToString();
                return a.Skip(1).Any(JinjaPython.HasData) ? JinjaString.FromData(replaced) : s.Map(replaced);
            }
            case "upper": return s.Map(text.ToUpperInvariant());
            case "lower": return s.Map(text.ToLowerInvariant());
            case "swapcase": return s.Map(new string([.. text.Select(c => char.IsUpper(c) ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c))]));
            case "capitalize": return s.Map(text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant());
            case "title":
            {
                var result = new StringBuilder(text.Length);
                var previousCased = false;
                foreach (var c in text)
                {
                    result.Append(previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
                    previousCased = char.IsLetter(c);
                }
                return s.Map(result.ToString());
            }
            case "find": return (long)text.IndexOf(StringArg(0) ?? "", StringComparison.Ordinal);
            case "rfind": return (long)text.LastIndexOf(StringArg(0) ?? "", StringComparison.Ordinal);
            case "count":
            {
                var needle = StringArg(0) ?? "";
                if (needle.Length == 0) return (long)text.Length + 1;
                long n = 0;
                for (var at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + needle.Length, StringComparison.Ordinal)) n++;
                return n;
            }
            case "join":
            {
                var builder = new JinjaString.Builder();
                var first = true;
                foreach (var item in JinjaPython.Iterate(a.Count > 0 ? a[0] : null, line))
                {
                    if (item is not JinjaString piece) throw new ChatTemplateException($"line {line}: join() takes strings, not {JinjaPython.TypeName(item)}.");
                    if (!first) builder.Append(s);
                    first = false;
                    builder.Append(piece);
                }
                return builder.Build();
            }
            case "isdigit": return text.Length > 0 && text.All(char.IsDigit);
            case "isalpha": return text.Length > 0 && text.All(char.IsLetter);
            case "isalnum": return text.Length > 0 && text.All(char.IsLetterOrDigit);
            case "isspace": return text.Length > 0 && text.All(char.IsWhiteSpace);
            case "isupper": return text.Any(char.IsLetter) && text.Where(char.IsLetter).All(char.IsUpper);
            case "islower": return text.Any(char.IsLetter) && text.Where(char.IsLetter).All(char.IsLower);
            default: throw new ChatTemplateException($"line {line}: str has no method '{name}'.");
        }
    }

    private static List<object?> SplitLines(JinjaString s)
    {
        var result = new List<object?>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s.Text[i] is not ('\n' or '\r')) continue;
            result.Add(s.Substring(start, i - start));
            if (s.Text[i] == '\r' && i + 1 < s.Length && s.Text[i + 1] == '\n') i++;
            start = i + 1;
        }
        if (start < s.Length) result.Add(s.Substring(start, s.Length - start));
        return result;
    }

    /// <summary>Python's strip family: whitespace, or the characters of <paramref name="chars"/>.</summary>
    private static JinjaString Strip(JinjaString s, object? chars, bool left, bool right)
    {
        var set = chars is JinjaString c ? c.Text : null;
        bool Strippable(char ch) => set is null ? char.IsWhiteSpace(ch) : set.Contains(ch);
        var (start, end) = (0, s.Length);
        if (left) while (start < end && Strippable(s.Text[start])) start++;
        if (right) while (end > start && Strippable(s.Text[end - 1])) end--;
        return s.Substring(start, end - start);
    }

    /// <summary>Python's <c>str.split</c> / <c>rsplit</c>: on a separator, or on runs of whitespace when there is none.</summary>
    private static List<object?> Split(JinjaString s, string? separator, int maxSplit, bool fromRight)
    {
        var text = s.Text;
        var pieces = new List<(int Start, int Length)>();
        if (separator is null)
        {
            var words = new List<(int, int)>();
            var i = 0;
            while (i < text.Length)
            {
                while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
                if (i >= text.Length) break;
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i])) i++;
                words.Add((start, i - start));
            }
            if (maxSplit < 0 || words.Count <= maxSplit + 1) pieces = words;
            else if (!fromRight)
            {
                pieces = words.Take(maxSplit).ToList();
                var restStart = words[maxSplit].Item1;
                var restEnd = text.Length;
                while (restEnd > restStart && char.IsWhiteSpace(text[restEnd - 1])) restEnd--;
                pieces.Add((restStart, restEnd - restStart));
            }
            else
            {
                var tail = words.Skip(words.Count - maxSplit).ToList();
                var headEnd = words[words.Count - maxSplit - 1].Item1 + words[words.Count - maxSplit - 1].Item2;
                var headStart = 0;
                while (headStart < headEnd && char.IsWhiteSpace(text[headStart])) headStart++;
                pieces = [(headStart, headEnd - headStart), .. tail];
            }
        }
        else
        {
            if (separator.Length == 0) throw new ChatTemplateException("split(): empty separator.");
            var cuts = new List<int>();
            for (var at = text.IndexOf(separator, StringComparison.Ordinal); at >= 0; at = text.IndexOf(separator, at + separator.Length, StringComparison.Ordinal))
                cuts.Add(at);
            if (maxSplit >= 0 && cuts.Count > maxSplit) cuts = fromRight ? cuts.Skip(cuts.Count - maxSplit).ToList() : cuts.Take(maxSplit).ToList();
            var position = 0;
            foreach (var cut in cuts)
            {
                pieces.Add((position, cut - position));
                position = cut + separator.Length;
            }
            pieces.Add((position, text.Length - position));
        }
        return [.. pieces.Select(p => (object?)s.Substring(p.Start, p.Length))];
    }
}
