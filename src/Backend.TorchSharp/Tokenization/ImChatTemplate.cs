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
    public string Apply(string userMessage)
    {
        var system = DefaultSystemPrompt is null ? "" : $"<|im_start|>system\n{DefaultSystemPrompt}<|im_end|>\n";
        return $"{system}<|im_start|>user\n{userMessage}<|im_end|>\n<|im_start|>assistant\n";
    }

    /// <summary>The template a Hugging Face <c>tokenizer_config.json</c>'s <c>chat_template</c> implies (Qwen2.5's default system prompt or none).</summary>
    public static ImChatTemplate FromJinja(string? chatTemplate) =>
        new(chatTemplate is not null && chatTemplate.Contains(Qwen25SystemPrompt, StringComparison.Ordinal) ? Qwen25SystemPrompt : null);
}
