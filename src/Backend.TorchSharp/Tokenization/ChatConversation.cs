namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A conversation as the model's prompt text. One user message (the form agents are trained on) goes through the tokenizer's chat
/// template exactly as in training; anything longer is written in ChatML turn by turn, then the assistant's generation prompt.
/// </summary>
internal static class ChatConversation
{
    /// <summary>The roles a policy can be sent: it calls no tools.</summary>
    public static readonly IReadOnlySet<string> Roles = new HashSet<string>(["system", "user", "assistant"], StringComparer.Ordinal);

    /// <summary>What keeps <paramref name="turns"/> from being a policy's prompt, or null when nothing does.</summary>
    public static string? Problem(IReadOnlyList<(string Role, string Content)> turns) =>
        turns.Count == 0 ? "The conversation has no message."
        : turns.FirstOrDefault(t => !Roles.Contains(t.Role)) is { Role: { } role }
            ? $"A message has role '{role}'; only system, user and assistant messages can be sent to a policy (it calls no tools)."
            : null;

    /// <exception cref="ArgumentException">The turns have a <see cref="Problem"/>.</exception>
    public static string Format(IReadOnlyList<(string Role, string Content)> turns, ITextTokenizer tokenizer)
    {
        if (Problem(turns) is { } problem) throw new ArgumentException(problem, nameof(turns));
        return turns is [("user", var only)] ? tokenizer.ApplyChatTemplate(only) : ImChatTemplate.Format(turns);
    }
}
