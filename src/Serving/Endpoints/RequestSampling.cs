using System.Text.Json;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>A request's sampling fields, checked: the options the generator takes, the number of choices per prompt, the guided choices.</summary>
internal sealed record RequestSampling(SamplingOptions Options, bool Seeded, int N, IReadOnlyList<int[]>? Allowed, IReadOnlyList<string> Stops)
{
    private const int MaxStops = 16;
    private const int MaxTopLogProbs = 20;

    /// <summary>Checks <paramref name="fields"/> against the server's limits and the longest prompt.</summary>
    /// <param name="fields">The request.</param>
    /// <param name="maxTokens">The request's token cap, or null for <paramref name="defaultMaxTokens"/>.</param>
    /// <param name="defaultMaxTokens">The cap when the request gives none.</param>
    /// <param name="topLogProbs">How many alternatives per token to report.</param>
    /// <param name="longestPrompt">The longest prompt's token count.</param>
    /// <param name="prompts">How many prompts the request has.</param>
    /// <param name="limits">The server's options.</param>
    /// <param name="contextLength">The model's context length.</param>
    /// <param name="tokenizer">Encodes guided choices.</param>
    public static RequestSampling From(SamplingFields fields, int? maxTokens, int defaultMaxTokens, int topLogProbs, int longestPrompt, int prompts,
        PolicyServerOptions limits, int contextLength, ITextTokenizer tokenizer)
    {
        var n = fields.N ?? 1;
        if (n < 1) throw OpenAiException.BadRequest($"n = {n} must be at least 1.", "n");
        if ((long)n * prompts > limits.MaxRequestSequences)
            throw OpenAiException.BadRequest($"{prompts} prompt(s) × n = {n} asks for more than the server's {limits.MaxRequestSequences} sequences per request; " +
                                             "split the request.", "n");
        var temperature = fields.Temperature ?? 1.0;
        if (!double.IsFinite(temperature) || temperature < 0) throw OpenAiException.BadRequest($"temperature = {temperature} must be 0 or more.", "temperature");
        var topP = fields.TopP ?? 1.0;
        if (!(topP > 0 && topP <= 1)) throw OpenAiException.BadRequest($"top_p = {topP} must be in (0, 1].", "top_p");
        var topK = fields.TopK ?? -1;
        if (topK < -1) throw OpenAiException.BadRequest($"top_k = {topK} must be -1 or 0 (off), or at least 1.", "top_k");
        if (topLogProbs is < 0 or > MaxTopLogProbs)
            throw OpenAiException.BadRequest($"{topLogProbs} log-probs per token asked; the server returns 0 to {MaxTopLogProbs}.", "logprobs");
        var stops = ParseStops(fields.Stop);

        var allowed = fields.GuidedChoice switch
        {
            null => null,
            { Count: 0 } => throw OpenAiException.BadRequest("guided_choice is empty; give at least one choice or leave it out.", "guided_choice"),
            var choices when choices.Any(string.IsNullOrEmpty) => throw OpenAiException.BadRequest("guided_choice has an empty choice.", "guided_choice"),
            var choices => GuidedChoices(choices, tokenizer),
        };
        if (longestPrompt >= contextLength)
            throw OpenAiException.BadRequest($"This model's maximum context length is {contextLength} tokens, and the prompt has {longestPrompt}: shorten it.",
                "prompt");
        var max = maxTokens ?? Math.Min(defaultMaxTokens, contextLength - longestPrompt);
        if (maxTokens is < 0) throw OpenAiException.BadRequest($"max_tokens = {maxTokens} must be 0 or more.", "max_tokens");
        if (allowed is not null && allowed.Max(a => a.Length) is var longestChoice && longestChoice > max)
        {
            if (maxTokens is not null)
                throw OpenAiException.BadRequest($"The longest guided_choice takes {longestChoice} tokens, more than max_tokens = {max}: raise max_tokens or " +
                                                 "shorten the choices.", "max_tokens");
            max = longestChoice;
        }
        if (max > limits.MaxTokens)
            throw OpenAiException.BadRequest($"max_tokens = {max} is more than this server's limit of {limits.MaxTokens} tokens per completion.", "max_tokens");
        if (longestPrompt + max > contextLength)
            throw OpenAiException.BadRequest($"This model's maximum context length is {contextLength} tokens; the request asks for {longestPrompt + max} " +
                                             $"({longestPrompt} in the prompt, {max} to generate). Shorten the prompt or lower max_tokens.", "max_tokens");
        var options = new SamplingOptions(temperature, topP, topK, max, stops.Count > 0 ? stops : null, fields.Seed ?? 0) { TopLogProbs = topLogProbs };
        return new RequestSampling(options, fields.Seed.HasValue, n, allowed, stops);
    }

    /// <summary>The work for the batcher: each prompt <see cref="N"/> times, next to each other, as the choices are numbered.</summary>
    public GenerationWork Work(string model, IReadOnlyList<int[]> prompts) =>
        new(model, [.. prompts.SelectMany(p => Enumerable.Repeat(p, N))], Options, Seeded, Allowed is null ? null : [.. Enumerable.Repeat(Allowed, prompts.Count * N)]);

    /// <summary>The choices' token ids; a choice the vocabulary cannot write (an unknown word) could never be generated, so it is refused.</summary>
    private static List<int[]> GuidedChoices(IReadOnlyList<string> choices, ITextTokenizer tokenizer)
    {
        var encoded = new List<int[]>();
        foreach (var choice in choices.Distinct())
        {
            var ids = tokenizer.Encode(choice);
            if (tokenizer.Decode(ids) != choice)
                throw OpenAiException.BadRequest($"guided_choice '{choice}' cannot be written with this model's vocabulary (it would come out as " +
                                                 $"'{tokenizer.Decode(ids)}'); give choices made of words the model knows.", "guided_choice");
            encoded.Add(ids);
        }
        return encoded;
    }

    private static List<string> ParseStops(JsonElement stop)
    {
        var stops = stop.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => [],
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array when stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String) => stop.EnumerateArray().Select(s => s.GetString()!).ToList(),
            _ => throw OpenAiException.BadRequest("stop must be a string or a list of strings.", "stop"),
        };
        if (stops.Count > MaxStops) throw OpenAiException.BadRequest($"stop has {stops.Count} sequences; at most {MaxStops} are accepted.", "stop");
        return stops.Any(s => s.Length == 0) ? throw OpenAiException.BadRequest("stop has an empty string.", "stop") : stops;
    }
}
