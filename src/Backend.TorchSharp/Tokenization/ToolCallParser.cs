using System.Text.Json;
using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// Reads the tool calls a model wrote in the Hermes / Qwen format, <c>&lt;tool_call&gt;{"name": ..., "arguments": {...}}&lt;/tool_call&gt;</c>
/// (as the Qwen2.5 and Qwen3 templates ask for). Model output is untrusted: a block that is not a JSON object with a string
/// <c>name</c> stays in the content as it was written, and nothing here throws.
/// </summary>
public static class ToolCallParser
{
    private const string Open = "<tool_call>";
    private const string Close = "</tool_call>";

    /// <summary>The most calls read from one reply.</summary>
    public const int MaxCalls = 64;

    /// <summary>The text without its well-formed tool-call blocks (trimmed), and the calls in order.</summary>
    public static (string Content, IReadOnlyList<ToolCall> Calls) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var calls = new List<ToolCall>();
        var content = new System.Text.StringBuilder();
        var position = 0;
        while (calls.Count < MaxCalls)
        {
            var start = text.IndexOf(Open, position, StringComparison.Ordinal);
            if (start < 0) break;
            var end = text.IndexOf(Close, start + Open.Length, StringComparison.Ordinal);
            var bodyEnd = end < 0 ? text.Length : end; // an unclosed last block (generation stopped at </tool_call>) still counts
            var call = Read(text[(start + Open.Length)..bodyEnd]);
            if (call is null)
            {
                content.Append(text, position, (end < 0 ? text.Length : end + Close.Length) - position);
                position = end < 0 ? text.Length : end + Close.Length;
                continue;
            }
            content.Append(text, position, start - position);
            calls.Add(call with { Id = "call_" + Guid.NewGuid().ToString("N")[..24] });
            position = end < 0 ? text.Length : end + Close.Length;
        }
        content.Append(text, position, text.Length - position);
        return (calls.Count == 0 ? text : content.ToString().Trim(), calls);
    }

    private static ToolCall? Read(string body)
    {
        try
        {
            if (JsonNode.Parse(body.Trim(), documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) is not JsonObject call) return null;
            if (call["name"] is not JsonValue name || !name.TryGetValue<string>(out var function) || function.Length == 0) return null;
            var arguments = call["arguments"] ?? call["parameters"];
            return new ToolCall(function, arguments?.DeepClone() ?? new JsonObject());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
