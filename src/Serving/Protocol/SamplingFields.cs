using System.Text.Json;

namespace GiGpoNet.Serving.Protocol;

/// <summary>The fields completions and chat completions share: the model and how to sample.</summary>
internal abstract record SamplingFields
{
    public string? Model { get; init; }
    public int? MaxTokens { get; init; }
    public double? Temperature { get; init; }
    public double? TopP { get; init; }
    public int? TopK { get; init; }
    public int? N { get; init; }
    /// <summary>A string or a list of strings.</summary>
    public JsonElement Stop { get; init; }
    public long? Seed { get; init; }
    public bool Stream { get; init; }
    /// <summary>vLLM: the output must be one of these strings.</summary>
    public IReadOnlyList<string>? GuidedChoice { get; init; }
    /// <summary>vLLM: log-prob tokens written as <c>token_id:N</c>.</summary>
    public bool ReturnTokensAsTokenIds { get; init; }
    /// <summary>vLLM: the stop string that ended the text stays in it.</summary>
    public bool IncludeStopStrInOutput { get; init; }
    /// <summary>vLLM: the prompt's and the output's token ids in the answer.</summary>
    public bool ReturnTokenIds { get; init; }
}
