using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// A Jinja2 template compiled once and rendered many times, with the semantics transformers' <c>apply_chat_template</c> gives it
/// (Jinja2's sandboxed environment with <c>trim_blocks</c>, <c>lstrip_blocks</c> and loop controls; <c>tojson</c> keeping non-ASCII
/// text; <c>raise_exception</c> and <c>strftime_now</c>). Values given as <see cref="JsonNode"/> are the caller's data: every string in
/// them is marked, and the marks survive into <see cref="JinjaString.DataRanges"/> of the result.
/// </summary>
internal sealed class JinjaTemplate
{
    private readonly IReadOnlyList<JinjaNode> _nodes;

    private JinjaTemplate(IReadOnlyList<JinjaNode> nodes) => _nodes = nodes;

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="ChatTemplateException">A syntax error, or a statement this interpreter does not implement; the message names the line.</exception>
    public static JinjaTemplate Parse(string source) => new(JinjaParser.Parse(source));

    /// <summary>
    /// Renders with <paramref name="variables"/>: <see cref="JsonNode"/> values become data (marked strings, ordered dicts, lists,
    /// Python ints and floats), <see cref="string"/> values template text, other values (bool, long, double, null) as they are.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template failed or refused its input (<see cref="ChatTemplateException.RaisedByTemplate"/>).</exception>
    public JinjaString Render(IReadOnlyDictionary<string, object?> variables, Func<DateTime>? now = null)
    {
        var values = variables.ToDictionary(v => v.Key, v => v.Value switch
        {
            JsonNode node => FromJson(node),
            string text => new JinjaString(text),
            int n => (long)n,
            var other => other,
        }, StringComparer.Ordinal);
        return new JinjaRenderer(values, now ?? (() => DateTime.Now)).Render(_nodes);
    }

    /// <summary>A JSON value as the template's data.</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => new OrderedDictionary<object, object?>(o.Select(p => KeyValuePair.Create<object, object?>(JinjaString.FromData(p.Key), FromJson(p.Value)))),
        JsonArray a => a.Select(FromJson).ToList(),
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<string>(out var s) => JinjaString.FromData(s),
        JsonValue v => Number(v),
        _ => null,
    };

    private static object Number(JsonValue value)
    {
        var text = value.ToJsonString();
        if (!text.Contains('.') && !text.Contains('e') && !text.Contains('E') && long.TryParse(text, out var whole)) return whole;
        return value.GetValue<double>();
    }
}
