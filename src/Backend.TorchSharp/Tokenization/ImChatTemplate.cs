namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// The ChatML format Qwen models use: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message, then
/// <c>&lt;|im_start|&gt;assistant\n</c> as the generation prompt. Qwen2.5 adds its default system prompt when none is given; Qwen3 does not.
/// </summary>
public sealed class ImChatTemplate(string? defaultSystemPrompt)
{
    /// <summary>Qwen2.5's default system prompt.</summary>
    public const string Qwen25SystemPrompt = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.";

    /// <summary>The system prompt added when none is given, or <c>null</c>.</summary>
    public string? DefaultSystemPrompt { get; } = defaultSystemPrompt;

    /// <summary>The prompt text for one user message.</summary>
    public string Apply(string userMessage) =>
        Format(DefaultSystemPrompt is null ? [("user", userMessage)] : [("system", DefaultSystemPrompt), ("user", userMessage)]);

    /// <summary>The turns as written (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> each), then the assistant's generation prompt.</summary>
    public static string Format(IEnumerable<(string Role, string Content)> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var text = new System.Text.StringBuilder();
        foreach (var (role, content) in turns) text.Append("<|im_start|>").Append(role).Append('\n').Append(content).Append("<|im_end|>\n");
        return text.Append("<|im_start|>assistant\n").ToString();
    }

    /// <summary>The template a Hugging Face <c>tokenizer_config.json</c>'s <c>chat_template</c> implies (Qwen2.5's default system prompt or none).</summary>
    public static ImChatTemplate FromJinja(string? chatTemplate) =>
        new(chatTemplate is not null && chatTemplate.Contains(Qwen25SystemPrompt, StringComparison.Ordinal) ? Qwen25SystemPrompt : null);
}
