using System.Text.Json;

namespace GiGpoNet.Serving.Protocol;

/// <summary>
/// <c>POST /v1/completions</c>: OpenAI's fields, plus vLLM's <c>top_k</c>, <c>guided_choice</c>, <c>return_tokens_as_token_ids</c> and
/// <c>return_token_ids</c>. <c>prompt</c> is a string, a list of strings, a list of token ids or a list of such lists.
/// </summary>
internal sealed record CompletionRequest : SamplingFields
{
    public JsonElement Prompt { get; init; }
    public int? Logprobs { get; init; }
    public bool Echo { get; init; }
}

/// <summary>The answer to a completion request.</summary>
internal sealed record CompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<CompletionChoice> Choices, Usage Usage);

/// <summary>One completion. <c>PromptTokenIds</c> and <c>TokenIds</c> are vLLM's, filled when <c>return_token_ids</c> is true.</summary>
internal sealed record CompletionChoice(int Index, string Text, CompletionLogProbs? Logprobs, string FinishReason, IReadOnlyList<int>? PromptTokenIds,
    IReadOnlyList<int>? TokenIds);

/// <summary>
/// The legacy log-probs object: per token its text, its log-probability (null for the first prompt token, which has no context), the
/// most likely tokens at its position, and where its text starts in the choice's text.
/// </summary>
internal sealed record CompletionLogProbs(IReadOnlyList<string> Tokens, IReadOnlyList<float?> TokenLogprobs,
    IReadOnlyList<IReadOnlyDictionary<string, float>?> TopLogprobs, IReadOnlyList<int> TextOffset);

/// <summary>Token counts: each prompt once, every choice's completion.</summary>
internal sealed record Usage(int PromptTokens, int CompletionTokens, int TotalTokens);
