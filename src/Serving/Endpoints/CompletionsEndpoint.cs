using System.Text.Json;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>
/// <c>POST /v1/completions</c>. Generated tokens' log-probs are under the distribution they were drawn from (temperature, top-k and
/// top-p applied: vLLM's <c>processed_logprobs</c>, what an importance-sampling correction needs); echoed prompt tokens are scored by
/// the model at temperature 1, the first with <c>null</c>.
/// </summary>
internal sealed class CompletionsEndpoint(ServedPolicy policy, GenerationBatcher batcher, PolicyServerOptions options)
{
    private const int DefaultMaxTokens = 16; // OpenAI's

    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<CompletionRequest>(context);
        if (request.Stream)
            throw OpenAiException.BadRequest("Streaming completions are not supported by gigpo serve-policy; send \"stream\": false (the default), or use " +
                                             "/v1/chat/completions, which streams.", "stream");
        var model = policy.Resolve(request.Model);
        var tokenizer = policy.Tokenizer;
        var prompts = Prompts(request.Prompt);
        var sampling = RequestSampling.From(request, request.MaxTokens, DefaultMaxTokens, request.Logprobs ?? 0, prompts.Max(p => p.Length), prompts.Count,
            options, policy.Config.MaxPositionEmbeddings, tokenizer);
        var generated = await batcher.GenerateAsync(sampling.Work(model, prompts), context.RequestAborted);
        var scores = request.Echo && request.Logprobs is { } k ? await ScoreAsync(model, prompts, k, context.RequestAborted) : null;

        var text = new GeneratedText(tokenizer, request.ReturnTokensAsTokenIds);
        var choices = generated.Select((g, row) =>
        {
            var prompt = prompts[row / sampling.N];
            var completion = text.Text(g, sampling.Stops, request.IncludeStopStrInOutput);
            var full = request.Echo ? tokenizer.Decode(prompt) + completion : completion;
            var logprobs = request.Logprobs is null ? null : LogProbs(text, request.Echo ? prompt : [], scores?[row / sampling.N], g, full.Length);
            return new CompletionChoice(row, full, logprobs, GeneratedText.FinishReason(g), request.ReturnTokenIds ? prompt : null,
                request.ReturnTokenIds ? g.TokenIds : null);
        }).ToList();
        var promptTokens = prompts.Sum(p => p.Length);
        var completionTokens = generated.Sum(g => g.TokenIds.Length);
        return Results.Json(new CompletionResponse("cmpl-" + Guid.NewGuid().ToString("N"), "text_completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), model,
            choices, new Usage(promptTokens, completionTokens, promptTokens + completionTokens)), OpenAiJson.Options);
    }

    /// <summary>The prompts as token ids: text is encoded, token ids are checked against the vocabulary.</summary>
    private List<int[]> Prompts(JsonElement prompt)
    {
        var tokenizer = policy.Tokenizer;
        var vocabulary = Math.Min(tokenizer.VocabularySize, policy.Config.VocabSize);
        int[] Ids(JsonElement list)
        {
            var ids = new int[list.GetArrayLength()];
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id) || id < 0 || id >= vocabulary)
                    throw OpenAiException.BadRequest($"prompt token {item} is not a token id of this model (0 to {vocabulary - 1}).", "prompt");
                ids[i++] = id;
            }
            return ids;
        }
        var prompts = prompt.ValueKind switch
        {
            JsonValueKind.String => [tokenizer.Encode(prompt.GetString()!)],
            JsonValueKind.Array when prompt.GetArrayLength() > 0 && prompt[0].ValueKind == JsonValueKind.Number => [Ids(prompt)],
            JsonValueKind.Array when prompt.GetArrayLength() > 0 => prompt.EnumerateArray().Select(p => p.ValueKind switch
            {
                JsonValueKind.String => tokenizer.Encode(p.GetString()!),
                JsonValueKind.Array => Ids(p),
                _ => throw OpenAiException.BadRequest("prompt must be a string, a list of strings, a list of token ids or a list of such lists.", "prompt"),
            }).ToList(),
            JsonValueKind.Undefined or JsonValueKind.Null => throw OpenAiException.BadRequest("prompt is missing.", "prompt"),
            _ => throw OpenAiException.BadRequest("prompt must be a string, a list of strings, a list of token ids or a list of such lists.", "prompt"),
        };
        return prompts.Any(p => p.Length == 0) ? throw OpenAiException.BadRequest("A prompt is empty (no tokens); give at least one token.", "prompt") : prompts;
    }

    private async Task<PromptScores[]> ScoreAsync(string model, List<int[]> prompts, int topLogProbs, CancellationToken cancellationToken)
    {
        await policy.Gate.WaitAsync(cancellationToken);
        try
        {
            return [.. prompts.Select(p => policy.Score(model, p, topLogProbs))];
        }
        finally
        {
            policy.Gate.Release();
        }
    }

    /// <summary>The legacy log-probs of the echoed prompt (when <paramref name="scores"/> is given) and the generated tokens.</summary>
    private static CompletionLogProbs LogProbs(GeneratedText text, int[] prompt, PromptScores? scores, GeneratedSequence generated, int textLength)
    {
        var ids = new List<int>(prompt.Length + generated.TokenIds.Length);
        var values = new List<float?>();
        var top = new List<IReadOnlyDictionary<string, float>?>();
        if (prompt.Length > 0 && scores is not null)
        {
            ids.AddRange(prompt);
            values.Add(null);
            top.Add(null);
            for (var i = 1; i < prompt.Length; i++)
            {
                values.Add(scores.LogProbs[i - 1]);
                top.Add(Alternatives(text, prompt[i], scores.LogProbs[i - 1], scores.TopLogProbs?[i - 1]));
            }
        }
        for (var i = 0; i < generated.TokenIds.Length; i++)
        {
            ids.Add(generated.TokenIds[i]);
            values.Add(generated.ModelLogProbs![i]);
            top.Add(Alternatives(text, generated.TokenIds[i], generated.ModelLogProbs![i], generated.TopLogProbs?[i]));
        }
        return new CompletionLogProbs([.. ids.Select(text.Token)], values, top, text.Offsets(ids, textLength));
    }

    /// <summary>The most likely tokens at a position and, as OpenAI always returns it, the token that is there.</summary>
    private static Dictionary<string, float> Alternatives(GeneratedText text, int id, float logProb, TokenLogProb[]? mostLikely)
    {
        var alternatives = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var candidate in mostLikely ?? []) alternatives.TryAdd(text.Token(candidate.TokenId), candidate.LogProb);
        alternatives.TryAdd(text.Token(id), logProb);
        return alternatives;
    }
}
