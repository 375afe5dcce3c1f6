using System.Text.Json;

namespace GiGpoNet.Serving.Protocol;

/// <summary><c>POST /v1/chat/completions</c>: OpenAI's fields (<c>max_completion_tokens</c> or the older <c>max_tokens</c>) and vLLM's extensions.</summary>
internal sealed record ChatCompletionRequest : SamplingFields
{
    public IReadOnlyList<ChatMessageIn?>? Messages { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public bool? Logprobs { get; init; }
    public int? TopLogprobs { get; init; }
}

/// <summary>A message of the conversation; <c>content</c> is a string or a list of <c>{"type": "text", "text": ...}</c> parts.</summary>
internal sealed record ChatMessageIn(string? Role, JsonElement Content);

/// <summary>The answer to a chat completion request; <c>PromptTokenIds</c> is vLLM's, filled when <c>return_token_ids</c> is true.</summary>
internal sealed record ChatCompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage,
    IReadOnlyList<int>? PromptTokenIds);

/// <summary>One reply.</summary>
internal sealed record ChatChoice(int Index, ChatMessageOut Message, ChatLogProbs? Logprobs, string FinishReason, IReadOnlyList<int>? TokenIds);

/// <summary>The assistant's message.</summary>
internal sealed record ChatMessageOut(string Role, string Content, string? Refusal);

/// <summary>The log-probs of the reply's content tokens.</summary>
internal sealed record ChatLogProbs(IReadOnlyList<ChatTokenLogProb> Content);

/// <summary>One content token: its text, log-probability, UTF-8 bytes and the most likely tokens at its position.</summary>
internal sealed record ChatTokenLogProb(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogProb> TopLogprobs);

/// <summary>One of the most likely tokens at a position.</summary>
internal sealed record ChatTopLogProb(string Token, float Logprob, IReadOnlyList<int> Bytes);
