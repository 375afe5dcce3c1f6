using System.Text.Json;
using System.Text.Json.Serialization;

namespace GiGpoNet.Policies.OpenAI.Protocol;

/// <summary>
/// <c>POST /v1/completions</c> with a token-id prompt and vLLM's extensions: token ids in the answer, stop strings kept in the text,
/// the answer constrained to a list of texts.
/// </summary>
internal sealed record CompletionRequest(string Model, int[] Prompt, int MaxTokens, double Temperature, double TopP, long Seed)
{
    public int N { get; init; } = 1;
    public int Logprobs { get; init; }
    public bool ReturnTokenIds { get; init; } = true;
    public bool ReturnTokensAsTokenIds { get; init; } = true;
    public bool IncludeStopStrInOutput { get; init; } = true;
    public bool SkipSpecialTokens { get; init; } = true;
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? TopK { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Stop { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? GuidedChoice { get; init; }
}

/// <summary>The parts of a completion answer the policy reads.</summary>
internal sealed record CompletionResponse(IReadOnlyList<CompletionChoice>? Choices);

/// <summary>One choice: its text, why it stopped, its log-probs and (vLLM's <c>return_token_ids</c>) its token ids.</summary>
internal sealed record CompletionChoice(string? Text, string? FinishReason, CompletionLogProbs? Logprobs, IReadOnlyList<int>? TokenIds);

/// <summary>The legacy log-probs object: tokens (as <c>token_id:N</c>) and their log-probabilities.</summary>
internal sealed record CompletionLogProbs(IReadOnlyList<string>? Tokens, IReadOnlyList<float?>? TokenLogprobs);

/// <summary><c>GET /v1/models</c>.</summary>
internal sealed record ModelList(IReadOnlyList<ModelCard>? Data);

/// <summary>A served model.</summary>
internal sealed record ModelCard(string? Id);

/// <summary>vLLM's <c>POST /v1/load_lora_adapter</c>.</summary>
internal sealed record LoadLoraAdapterRequest(string LoraName, string LoraPath);

/// <summary>vLLM's <c>POST /v1/unload_lora_adapter</c>.</summary>
internal sealed record UnloadLoraAdapterRequest(string LoraName);

/// <summary>SGLang's <c>POST /update_weights_from_disk</c>.</summary>
internal sealed record UpdateWeightsRequest(string ModelPath);

/// <summary>The OpenAI API's JSON: snake_case names.</summary>
internal static class OpenAiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
