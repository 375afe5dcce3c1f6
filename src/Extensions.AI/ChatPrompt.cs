using GiGpoNet.Backend.Tokenization;
using Microsoft.Extensions.AI;

namespace GiGpoNet.Extensions.AI;

/// <summary>
/// A conversation as the model's prompt text. One user message (the form agents are trained on) goes through the tokenizer's chat
/// template exactly as in training; anything longer is written in ChatML turn by turn (system, user, assistant), then the assistant's
/// generation prompt.
/// </summary>
internal static class ChatPrompt
{
    public static string Format(IReadOnlyList<ChatMessage> messages, ITextTokenizer tokenizer)
    {
        if (messages.Count == 0) throw new ArgumentException("The conversation has no message.", nameof(messages));
        if (messages.Any(m => m.Role != ChatRole.System && m.Role != ChatRole.User && m.Role != ChatRole.Assistant))
            throw new ArgumentException("Only system, user and assistant messages can be sent to a policy (it calls no tools).", nameof(messages));
        if (messages is [{ } only] && only.Role == ChatRole.User) return tokenizer.ApplyChatTemplate(only.Text);
        return ImChatTemplate.Format(messages.Select(m => (m.Role.Value, m.Text)));
    }
}
