using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>What <c>apply_chat_template</c> renders: the messages, the tools offered, whether to open the assistant's turn, and extra template arguments.</summary>
public sealed record ChatRequest
{
    /// <summary>The conversation.</summary>
    public required IReadOnlyList<ChatTurn> Messages { get; init; }

    /// <summary>The tools offered (OpenAI's <c>{"type": "function", "function": {...}}</c> objects), or null.</summary>
    public JsonArray? Tools { get; init; }

    /// <summary>Whether the prompt ends with the assistant's opening (default true).</summary>
    public bool AddGenerationPrompt { get; init; } = true;

    /// <summary>Extra variables for the template (the API's <c>chat_template_kwargs</c>, such as Qwen3's <c>enable_thinking</c>).</summary>
    public IReadOnlyDictionary<string, JsonNode?>? TemplateArguments { get; init; }

    /// <summary>One user message, with the assistant's turn opened: the form agents are trained on.</summary>
    public static ChatRequest User(string message) => new() { Messages = [new ChatTurn("user", message)] };

    /// <summary>What keeps the request from being rendered, or null: no message, or a role no template knows.</summary>
    public string? Problem()
    {
        if (Messages is not { Count: > 0 }) return "The conversation has no message.";
        var unknown = Messages.FirstOrDefault(m => m is null || !ChatTurn.Roles.Contains(m.Role));
        return unknown is null ? null
            : $"A message has role '{unknown?.Role}'; a conversation holds system, user, assistant and tool messages.";
    }
}
