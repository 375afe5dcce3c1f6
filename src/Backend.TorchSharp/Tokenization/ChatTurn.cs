using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// One message of a conversation, as a chat template reads it: its role (<c>system</c>, <c>user</c>, <c>assistant</c> or <c>tool</c>),
/// its text, and for an assistant the tool calls it made (for a tool, the call it answers).
/// </summary>
/// <param name="Role">The role.</param>
/// <param name="Content">The text; null for an assistant message that only calls tools.</param>
public sealed record ChatTurn(string Role, string? Content)
{
    /// <summary>The roles a conversation may hold.</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(["system", "user", "assistant", "tool"], StringComparer.Ordinal);

    /// <summary>An assistant's tool calls.</summary>
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>A tool message's answer to this call id.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>A tool message's tool name.</summary>
    public string? Name { get; init; }

    /// <summary>An assistant's reasoning, kept apart from its content (Qwen3 renders it inside <c>&lt;think&gt;</c>).</summary>
    public string? ReasoningContent { get; init; }

    /// <summary>The message as a template sees it: OpenAI's message object, tool calls under <c>function</c>.</summary>
    internal JsonObject ToJson()
    {
        var message = new JsonObject { ["role"] = Role, ["content"] = Content };
        if (ToolCalls is { Count: > 0 } calls)
            message["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)c.ToJson())]);
        if (ToolCallId is not null) message["tool_call_id"] = ToolCallId;
        if (Name is not null) message["name"] = Name;
        if (ReasoningContent is not null) message["reasoning_content"] = ReasoningContent;
        return message;
    }
}

/// <summary>A tool call: the function's name and its arguments (a JSON object).</summary>
/// <param name="Name">The function.</param>
/// <param name="Arguments">The arguments, as the model wrote them (an object; a string that is not JSON stays a string).</param>
public sealed record ToolCall(string Name, JsonNode? Arguments)
{
    /// <summary>The call's id, as the API reports it.</summary>
    public string? Id { get; init; }

    internal JsonObject ToJson()
    {
        var call = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = Name, ["arguments"] = Arguments?.DeepClone() } };
        if (Id is not null) call["id"] = Id;
        return call;
    }
}
