using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving.Protocol;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>
/// A chat request's messages, tools and template arguments as a <see cref="ChatRequest"/>, every field checked: what does not fit is a
/// 400 that names it. Tool-call arguments sent as JSON strings (OpenAI's form) are parsed, as the templates expect objects.
/// </summary>
internal static class ChatConversation
{
    private static readonly HashSet<string> ReservedArguments = new(StringComparer.Ordinal) { "messages", "tools", "add_generation_prompt" };

    public static ChatRequest From(ChatCompletionRequest request)
    {
        if (request.Messages is not { Count: > 0 } messages) throw OpenAiException.BadRequest("messages is missing or empty; send at least one message.", "messages");
        var turns = messages.Select((m, i) => Turn(m, i)).ToList();
        var chat = new ChatRequest
        {
            Messages = turns,
            Tools = Tools(request.Tools),
            AddGenerationPrompt = request.AddGenerationPrompt ?? true,
            TemplateArguments = Arguments(request.ChatTemplateKwargs),
        };
        return chat.Problem() is { } problem ? throw OpenAiException.BadRequest(problem, "messages") : chat;
    }

    /// <summary>Whether the reply is read for tool calls: tools were offered and <c>tool_choice</c> is <c>auto</c> (or left out).</summary>
    public static bool ParsesToolCalls(ChatCompletionRequest request, ChatRequest chat) => chat.Tools is { Count: > 0 } && request.ToolChoice.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => true,
        JsonValueKind.String when request.ToolChoice.GetString() == "auto" => true,
        JsonValueKind.String when request.ToolChoice.GetString() == "none" => false,
        _ => throw OpenAiException.BadRequest("tool_choice must be \"auto\" or \"none\"; forcing a call (\"required\" or a named function) is not supported.",
            "tool_choice"),
    };

    private static ChatTurn Turn(ChatMessageIn? message, int index)
    {
        if (message is not { Role: { } role }) throw OpenAiException.BadRequest($"messages[{index}] has no role.", "messages");
        if (!ChatTurn.Roles.Contains(role))
            throw OpenAiException.BadRequest($"messages[{index}] has role '{role}'; use system, user, assistant or tool.", "messages");
        var calls = ToolCalls(message.ToolCalls, index);
        if (calls is not null && role != "assistant") throw OpenAiException.BadRequest($"messages[{index}]: only an assistant message has tool_calls.", "messages");
        return new ChatTurn(role, Content(message.Content, index) ?? (role == "assistant" ? "" : throw OpenAiException.BadRequest(
            $"messages[{index}] has no content; only an assistant message that calls tools may leave it out.", "messages")))
        {
            ToolCalls = calls, ToolCallId = message.ToolCallId, Name = message.Name, ReasoningContent = message.ReasoningContent,
        };
    }

    /// <summary>A message's text: a string, or the text parts of a list of content parts joined; null when absent.</summary>
    private static string? Content(JsonElement content, int index) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part =>
            part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                                                   && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw OpenAiException.BadRequest($"messages[{index}].content has a part that is not {{\"type\": \"text\", \"text\": ...}}; a policy reads " +
                                                   "text only.", "messages"))),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => throw OpenAiException.BadRequest($"messages[{index}].content must be a string, a list of text parts or null.", "messages"),
    };

    private static List<ToolCall>? ToolCalls(JsonElement calls, int index)
    {
        if (calls.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (calls.ValueKind != JsonValueKind.Array) throw OpenAiException.BadRequest($"messages[{index}].tool_calls must be a list.", "messages");
        return [.. calls.EnumerateArray().Select((call, c) =>
        {
            var where = $"messages[{index}].tool_calls[{c}]";
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                throw OpenAiException.BadRequest($"{where} must be {{\"type\": \"function\", \"function\": {{\"name\": ..., \"arguments\": ...}}}}.", "messages");
            JsonNode? arguments = null;
            if (function.TryGetProperty("arguments", out var given))
            {
                arguments = given.ValueKind == JsonValueKind.String ? ParseArguments(given.GetString()!) : JsonNode.Parse(given.GetRawText());
            }
            var id = call.TryGetProperty("id", out var callId) && callId.ValueKind == JsonValueKind.String ? callId.GetString() : null;
            return new ToolCall(name.GetString()!, arguments) { Id = id };
        })];
    }

    /// <summary>OpenAI sends arguments as a JSON string; the templates render an object. A string that is not JSON stays a string.</summary>
    private static JsonNode? ParseArguments(string text)
    {
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) ?? JsonValue.Create(text);
        }
        catch (JsonException)
        {
            return JsonValue.Create(text);
        }
    }

    private static JsonArray? Tools(JsonElement tools)
    {
        if (tools.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (tools.ValueKind != JsonValueKind.Array) throw OpenAiException.BadRequest("tools must be a list of {\"type\": \"function\", \"function\": {...}}.", "tools");
        var list = new JsonArray();
        foreach (var (tool, i) in tools.EnumerateArray().Select((t, i) => (t, i)))
        {
            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || name.GetString()!.Length == 0)
                throw OpenAiException.BadRequest($"tools[{i}] must be {{\"type\": \"function\", \"function\": {{\"name\": ..., ...}}}} with a name.", "tools");
            list.Add(JsonNode.Parse(tool.GetRawText()));
        }
        return list;
    }

    private static Dictionary<string, JsonNode?>? Arguments(JsonElement arguments)
    {
        if (arguments.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null) return null;
        if (arguments.ValueKind != JsonValueKind.Object) throw OpenAiException.BadRequest("chat_template_kwargs must be an object.", "chat_template_kwargs");
        var result = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var property in arguments.EnumerateObject())
        {
            if (ReservedArguments.Contains(property.Name))
                throw OpenAiException.BadRequest($"chat_template_kwargs cannot set '{property.Name}'; send it as the request's own field.", "chat_template_kwargs");
            result[property.Name] = JsonNode.Parse(property.Value.GetRawText());
        }
        return result;
    }
}
