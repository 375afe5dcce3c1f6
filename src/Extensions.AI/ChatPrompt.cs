using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tokenization;
using Microsoft.Extensions.AI;

namespace GiGpoNet.Extensions.AI;

/// <summary>
/// A conversation of <see cref="ChatMessage"/>s and the request's <see cref="ChatOptions"/> as the model's <see cref="ChatRequest"/>: text,
/// function calls (<see cref="FunctionCallContent"/>) and their results (<see cref="FunctionResultContent"/>, as <c>tool</c> messages),
/// the offered tools (<see cref="AIFunctionDeclaration"/>s with their JSON schema), and extra template arguments.
/// </summary>
internal static class ChatPrompt
{
    public static ChatRequest From(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        var turns = new List<ChatTurn>();
        foreach (var message in messages)
        {
            var results = message.Contents.OfType<FunctionResultContent>().ToList();
            if (results.Count > 0)
            {
                turns.AddRange(results.Select(r => new ChatTurn("tool", Result(r.Result)) { ToolCallId = r.CallId }));
                continue;
            }
            var calls = message.Contents.OfType<FunctionCallContent>()
                .Select(c => new ToolCall(c.Name, JsonSerializer.SerializeToNode(c.Arguments ?? new Dictionary<string, object?>())) { Id = c.CallId }).ToList();
            turns.Add(new ChatTurn(message.Role.Value, message.Text) { ToolCalls = calls.Count > 0 ? calls : null });
        }
        var tools = options?.ToolMode is NoneChatToolMode ? null : options?.Tools?.OfType<AIFunctionDeclaration>().ToList();
        return new ChatRequest
        {
            Messages = turns,
            Tools = tools is { Count: > 0 } ? new JsonArray([.. tools.Select(Tool)]) : null,
            TemplateArguments = TemplateArguments(options),
        };
    }

    private static string Result(object? result) => result switch
    {
        null => "",
        string text => text,
        JsonElement element => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText(),
        _ => JsonSerializer.Serialize(result),
    };

    private static JsonNode Tool(AIFunctionDeclaration function) => new JsonObject
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = function.Name, ["description"] = function.Description, ["parameters"] = JsonNode.Parse(function.JsonSchema.GetRawText()),
        },
    };

    private static Dictionary<string, JsonNode?>? TemplateArguments(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(PolicyChatClient.TemplateArgumentsKey, out var value) != true || value is null) return null;
        return value as IEnumerable<KeyValuePair<string, object?>> is { } pairs
            ? pairs.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToNode(p.Value), StringComparer.Ordinal)
            : throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{PolicyChatClient.TemplateArgumentsKey}\"] must be a dictionary of template " +
                                          "arguments.", nameof(options));
    }
}
