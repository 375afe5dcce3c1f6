using System.Text.Json;

namespace GiGpoNet.Serving.Protocol;

/// <summary>
/// <c>POST /v1/chat/completions</c>: OpenAI's fields (<c>max_completion_tokens</c> or the older <c>max_tokens</c>, <c>tools</c>,
/// <c>tool_choice</c>, <c>stream</c>) and vLLM's extensions (<c>chat_template_kwargs</c>, <c>add_generation_prompt</c>).
/// </summary>
internal sealed record ChatCompletionRequest : SamplingFields
{
    public IReadOnlyList<ChatMessageIn?>? Messages { get; init; }
    public int? MaxCompletionTokens { get; init; }
    public bool? Logprobs { get; init; }
    public int? TopLogprobs { get; init; }
    /// <summary>A list of <c>{"type": "function", "function": {"name", "description", "parameters"}}</c>.</summary>
    public JsonElement Tools { get; init; }
    /// <summary><c>"auto"</c> (the default) or <c>"none"</c>.</summary>
    public JsonElement ToolChoice { get; init; }
    /// <summary>Extra variables for the chat template (Qwen3's <c>enable_thinking</c>).</summary>
    public JsonElement ChatTemplateKwargs { get; init; }
    public bool? AddGenerationPrompt { get; init; }
    /// <summary>With <c>stream</c>: <c>{"include_usage": true}</c> adds a last chunk with the token counts.</summary>
    public JsonElement StreamOptions { get; init; }
}

/// <summary>
/// A message of the conversation; <c>content</c> is a string, a list of <c>{"type": "text", "text": ...}</c> parts or null; an assistant's
/// <c>tool_calls</c>; a tool message's <c>tool_call_id</c>.
/// </summary>
internal sealed record ChatMessageIn(string? Role, JsonElement Content)
{
    public JsonElement ToolCalls { get; init; }
    public string? ToolCallId { get; init; }
    public string? Name { get; init; }
    public string? ReasoningContent { get; init; }
}

/// <summary>The answer to a chat completion request; <c>PromptTokenIds</c> is vLLM's, filled when <c>return_token_ids</c> is true.</summary>
internal sealed record ChatCompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage,
    IReadOnlyList<int>? PromptTokenIds);

/// <summary>One reply.</summary>
internal sealed record ChatChoice(int Index, ChatMessageOut Message, ChatLogProbs? Logprobs, string FinishReason, IReadOnlyList<int>? TokenIds);

/// <summary>The assistant's message; <c>ToolCalls</c> when it called tools.</summary>
internal sealed record ChatMessageOut(string Role, string? Content, string? Refusal, IReadOnlyList<ToolCallOut>? ToolCalls);

/// <summary>A tool call as the API returns it: the arguments as a JSON string.</summary>
internal sealed record ToolCallOut(string Id, string Type, FunctionCallOut Function);

/// <summary>The called function.</summary>
internal sealed record FunctionCallOut(string Name, string Arguments);

/// <summary>The log-probs of the reply's content tokens.</summary>
internal sealed record ChatLogProbs(IReadOnlyList<ChatTokenLogProb> Content);

/// <summary>One content token: its text, log-probability, UTF-8 bytes and the most likely tokens at its position.</summary>
internal sealed record ChatTokenLogProb(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<ChatTopLogProb> TopLogprobs);

/// <summary>One of the most likely tokens at a position.</summary>
internal sealed record ChatTopLogProb(string Token, float Logprob, IReadOnlyList<int> Bytes);

/// <summary>A streamed chunk (<c>chat.completion.chunk</c>).</summary>
internal sealed record ChatCompletionChunk(string Id, string Object, long Created, string Model, IReadOnlyList<ChunkChoice> Choices, Usage? Usage);

/// <summary>One choice's delta in a chunk; <c>FinishReason</c> on its last one.</summary>
internal sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason);

/// <summary>What a chunk adds to the message.</summary>
internal sealed record ChunkDelta(string? Role, string? Content, IReadOnlyList<ChunkToolCall>? ToolCalls);

/// <summary>A tool call in a chunk, with its position among the message's calls.</summary>
internal sealed record ChunkToolCall(int Index, string Id, string Type, FunctionCallOut Function);
