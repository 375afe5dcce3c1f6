using System.Globalization;
using System.Text;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// Jinja2's lexer as transformers configures it (<c>trim_blocks</c> and <c>lstrip_blocks</c> on): newlines normalized to <c>\n</c> and
/// the template's last newline dropped; <c>{{ }}</c>, <c>{% %}</c> and <c>{# #}</c> tags with <c>-</c> (strip every whitespace
/// beside the tag) and <c>+</c> (keep it); the first newline after a block or comment tag removed; spaces and tabs before a block or
/// comment tag that starts a line removed; <c>{% raw %}</c> sections kept verbatim.
/// </summary>
internal static class JinjaLexer
{
    private static readonly string[] Operators =
        ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"];

    public static List<JinjaToken> Tokenize(string source)
    {
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (source.EndsWith('\n')) source = source[..^1]; // keep_trailing_newline is off
        var tokens = new List<JinjaToken>();
        var position = 0;
        var line = 1;
        var lineStarting = true;
        while (position < source.Length)
        {
            var open = NextTag(source, position);
            if (open < 0)
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.Data, source[position..], line));
                break;
            }
            var kind = source[open + 1];
            var sign = open + 2 < source.Length && source[open + 2] is '-' or '+' ? source[open + 2] : '\0';
            var text = source[position..open];
            if (sign == '-') text = text.TrimEnd();
            else if (sign != '+' && kind != '{')
            {
                // lstrip_blocks: only whitespace between the line's start and a block or comment tag.
                var lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || lineStarting) && lineStart < text.Length && text.AsSpan(lineStart).IndexOfAnyExcept(" \t\f\v") < 0)
                    text = text[..lineStart];
            }
            if (text.Length > 0) tokens.Add(new JinjaToken(JinjaTokenKind.Data, text, line));
            line += Count(source, position, open);
            position = open + 2 + (sign == '\0' ? 0 : 1);
            int end;
            switch (kind)
            {
                case '#':
                    end = source.IndexOf("#}", position, StringComparison.Ordinal);
                    if (end < 0) throw new ChatTemplateException($"line {line}: a comment is not closed with #}}.");
                    line += Count(source, position, end);
                    position = AfterTag(source, end, 2, trim: true, ref line);
                    break;
                case '{':
                    tokens.Add(new JinjaToken(JinjaTokenKind.VariableBegin, "{{", line));
                    end = Expression(source, ref position, ref line, tokens, closing: '}');
                    tokens.Add(new JinjaToken(JinjaTokenKind.VariableEnd, "}}", line));
                    position = AfterTag(source, end, 2, trim: false, ref line);
                    break;
                default:
                    tokens.Add(new JinjaToken(JinjaTokenKind.BlockBegin, "{%", line));
                    var first = tokens.Count;
                    end = Expression(source, ref position, ref line, tokens, closing: '%');
                    tokens.Add(new JinjaToken(JinjaTokenKind.BlockEnd, "%}", line));
                    position = AfterTag(source, end, 2, trim: true, ref line);
                    if (tokens.Count == first + 2 && tokens[first].IsName("raw")) position = Raw(source, position, ref line, tokens);
                    break;
            }
            lineStarting = position > 0 && source[position - 1] == '\n';
        }
        tokens.Add(new JinjaToken(JinjaTokenKind.End, "", line));
        return tokens;
    }

    private static int NextTag(string source, int from)
    {
        for (var i = source.IndexOf('{', from); i >= 0 && i + 1 < source.Length; i = source.IndexOf('{', i + 1))
            if (source[i + 1] is '{' or '%' or '#') return i;
        return -1;
    }

    private static int Count(string source, int from, int to)
    {
        var n = 0;
        for (var i = from; i < to; i++) if (source[i] == '\n') n++;
        return n;
    }

    /// <summary>The position after a closing tag at <paramref name="end"/> (its sign just before it), with its whitespace control applied.</summary>
    private static int AfterTag(string source, int end, int length, bool trim, ref int line)
    {
        var sign = end > 0 ? source[end - 1] : '\0';
        var position = end + length;
        if (sign == '-')
        {
            while (position < source.Length && char.IsWhiteSpace(source[position]))
            {
                if (source[position] == '\n') line++;
                position++;
            }
        }
        else if (sign != '+' && trim && position < source.Length && source[position] == '\n')
        {
            line++;
            position++;
        }
        return position;
    }

    /// <summary>Lexes the inside of a tag up to its closing <c>}}</c> or <c>%}</c>; returns the closing's position (after a <c>-</c> or <c>+</c>).</summary>
    private static int Expression(string source, ref int position, ref int line, List<JinjaToken> tokens, char closing)
    {
        var depth = 0;
        while (true)
        {
            while (position < source.Length && char.IsWhiteSpace(source[position]))
            {
                if (source[position] == '\n') line++;
                position++;
            }
            if (position >= source.Length) throw new ChatTemplateException($"line {line}: a tag is not closed with {closing}}}.");
            var c = source[position];
            if (depth == 0)
            {
                if (c is '-' or '+' && position + 2 < source.Length && source[position + 1] == closing && source[position + 2] == '}') return position + 1;
                if (c == closing && position + 1 < source.Length && source[position + 1] == '}') return position;
            }
            if (c is '"' or '\'')
            {
                tokens.Add(new JinjaToken(JinjaTokenKind.String, StringLiteral(source, ref position, ref line), line));
                continue;
            }
            if (char.IsAsciiDigit(c))
            {
                var start = position;
                while (position < source.Length && (char.IsAsciiDigit(source[position]) || source[position] == '_')) position++;
                var isFloat = false;
                if (position + 1 < source.Length && source[position] == '.' && char.IsAsciiDigit(source[position + 1]))
                {
                    isFloat = true;
                    position++;
                    while (position < source.Length && (char.IsAsciiDigit(source[position]) || source[position] == '_')) position++;
                }
                if (position < source.Length && source[position] is 'e' or 'E')
                {
                    var exponent = position + 1;
                    if (exponent < source.Length && source[exponent] is '+' or '-') exponent++;
                    if (exponent < source.Length && char.IsAsciiDigit(source[exponent]))
                    {
                        isFloat = true;
                        position = exponent;
                        while (position < source.Length && char.IsAsciiDigit(source[position])) position++;
                    }
                }
                tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, source[start..position].Replace("_", "", StringComparison.Ordinal), line));
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = position;
                while (position < source.Length && (char.IsLetterOrDigit(source[position]) || source[position] == '_')) position++;
                tokens.Add(new JinjaToken(JinjaTokenKind.Name, source[start..position], line));
                continue;
            }
            var at = position;
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(source, at, o, 0, o.Length) == 0)
                     ?? throw new ChatTemplateException($"line {line}: unexpected character '{c}'.");
            if (op is "(" or "[" or "{") depth++;
            else if (op is ")" or "]" or "}")
            {
                if (depth == 0) throw new ChatTemplateException($"line {line}: '{op}' closes nothing.");
                depth--;
            }
            tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, line));
            position += op.Length;
        }
    }

    /// <summary>A Python-style string literal with its escapes (\n, \t, \\, \', \", \uXXXX, ...).</summary>
    private static string StringLiteral(string source, ref int position, ref int line)
    {
        var quote = source[position++];
        var text = new StringBuilder();
        while (true)
        {
            if (position >= source.Length) throw new ChatTemplateException($"line {line}: a string is not closed.");
            var c = source[position++];
            if (c == quote) return text.ToString();
            if (c == '\n') line++;
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (position >= source.Length) throw new ChatTemplateException($"line {line}: a string ends in a backslash.");
            var e = source[position++];
            switch (e)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'v': text.Append('\v'); break;
                case 'a': text.Append('\a'); break;
                case '0': text.Append('\0'); break;
                case '\\': text.Append('\\'); break;
                case '\'': text.Append('\''); break;
                case '"': text.Append('"'); break;
                case '\n': line++; break;
                case 'x' or 'u' or 'U':
                {
                    var digits = e switch { 'x' => 2, 'u' => 4, _ => 8 };
                    if (position + digits > source.Length
                        || !int.TryParse(source.AsSpan(position, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw new ChatTemplateException($"line {line}: a \\{e} escape needs {digits} hexadecimal digits.");
                    text.Append(char.ConvertFromUtf32(code));
                    position += digits;
                    break;
                }
                default: text.Append('\\').Append(e); break; // Python keeps unknown escapes
            }
        }
    }

    /// <summary>The text up to <c>{% endraw %}</c>, as one data token.</summary>
    private static int Raw(string source, int position, ref int line, List<JinjaToken> tokens)
    {
        tokens.RemoveRange(tokens.Count - 3, 3); // {% raw %} is no statement
        var search = position;
        while (true)
        {
            var open = source.IndexOf("{%", search, StringComparison.Ordinal);
            if (open < 0) throw new ChatTemplateException($"line {line}: {{% raw %}} is not closed with {{% endraw %}}.");
            var inner = open + 2;
            var sign = inner < source.Length && source[inner] is '-' or '+' ? source[inner] : '\0';
            if (sign != '\0') inner++;
            var rest = source.AsSpan(inner).TrimStart();
            if (!rest.StartsWith("endraw", StringComparison.Ordinal))
            {
                search = open + 2;
                continue;
            }
            var close = source.IndexOf("%}", inner, StringComparison.Ordinal);
            if (close < 0) throw new ChatTemplateException($"line {line}: {{% endraw %}} is not closed.");
            var text = source[position..open];
            if (sign == '-') text = text.TrimEnd();
            if (text.Length > 0) tokens.Add(new JinjaToken(JinjaTokenKind.Data, text, line));
            line += Count(source, position, close);
            return AfterTag(source, close, 2, trim: true, ref line);
        }
    }
}
