namespace GiGpoNet.Backend.Tokenization;

/// <summary>Conversations to prompt ids through a tokenizer's chat template.</summary>
public static class ChatEncoding
{
    /// <summary>The prompt ids of <paramref name="request"/>: rendered by the tokenizer's template, control tokens read only in the template's text.</summary>
    public static int[] EncodeChat(this ITextTokenizer tokenizer, ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.Encode(tokenizer.ChatTemplate.Render(request));
    }

    /// <summary>The prompt ids of one user message, as policies are trained and sampled.</summary>
    public static int[] EncodeUserMessage(this ITextTokenizer tokenizer, string userMessage) => tokenizer.EncodeChat(ChatRequest.User(userMessage));
}
