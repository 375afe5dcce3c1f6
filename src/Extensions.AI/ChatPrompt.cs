using GiGpoNet.Backend.Tokenization;
using Microsoft.Extensions.AI;

namespace GiGpoNet.Extensions.AI;

/// <summary>A conversation of <see cref="ChatMessage"/>s as the model's prompt text (see <see cref="ChatConversation"/>).</summary>
internal static class ChatPrompt
{
    public static string Format(IReadOnlyList<ChatMessage> messages, ITextTokenizer tokenizer) =>
        ChatConversation.Format([.. messages.Select(m => (m.Role.Value, m.Text))], tokenizer);
}
