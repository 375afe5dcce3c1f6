using System.Text.Json;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the messages go through the model's chat template (one user message exactly as in training); the
/// reply's log-probs cover its content tokens, under the distribution they were drawn from.
/// </summary>
internal sealed class ChatCompletionsEndpoint(ServedPolicy policy, GenerationBatcher batcher, PolicyServerOptions options)
{
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<ChatCompletionRequest>(context);
        var model = policy.Resolve(request.Model);
        var tokenizer = policy.Tokenizer;
        var prompt = tokenizer.Encode(Conversation(request.Messages, tokenizer));
        if (request.TopLogprobs is not null && request.Logprobs != true)
            throw OpenAiException.BadRequest("top_logprobs needs \"logprobs\": true.", "top_logprobs");
        var topLogProbs = request.Logprobs == true ? request.TopLogprobs ?? 0 : 0;
        var sampling = RequestSampling.From(request, request.MaxCompletionTokens ?? request.MaxTokens, options.MaxTokens, topLogProbs, prompt.Length, 1,
            options, policy.Config.MaxPositionEmbeddings, tokenizer);
        var generated = await batcher.GenerateAsync(sampling.Work(model, [prompt]), context.RequestAborted);

        var text = new GeneratedText(tokenizer, request.ReturnTokensAsTokenIds);
        var choices = generated.Select((g, i) => new ChatChoice(i, new ChatMessageOut("assistant", text.Text(g, sampling.Stops, request.IncludeStopStrInOutput), null),
            request.Logprobs == true ? LogProbs(text, g, tokenizer) : null, GeneratedText.FinishReason(g), request.ReturnTokenIds ? g.TokenIds : null)).ToList();
        var completionTokens = generated.Sum(g => g.TokenIds.Length);
        return Results.Json(new ChatCompletionResponse("chatcmpl-" + Guid.NewGuid().ToString("N"), "chat.completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            model, choices, new Usage(prompt.Length, completionTokens, prompt.Length + completionTokens), request.ReturnTokenIds ? prompt : null), OpenAiJson.Options);
    }

    private static string Conversation(IReadOnlyList<ChatMessageIn?>? messages, ITextTokenizer tokenizer)
    {
        if (messages is not { Count: > 0 }) throw OpenAiException.BadRequest("messages is missing or empty; send at least one message.", "messages");
        var turns = messages.Select((m, i) => m is { Role: { } role }
            ? (role, Content(m.Content, i))
            : throw OpenAiException.BadRequest($"messages[{i}] has no role.", "messages")).ToList();
        return ChatConversation.Problem(turns) is { } problem ? throw OpenAiException.BadRequest(problem, "messages") : ChatConversation.Format(turns, tokenizer);
    }

    /// <summary>A message's text: a string, or the text parts of a list of content parts joined.</summary>
    private static string Content(JsonElement content, int index) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part =>
            part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                                                   && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : throw OpenAiException.BadRequest($"messages[{index}].content has a part that is not {{\"type\": \"text\", \"text\": ...}}; a policy reads " +
                                                   "text only.", "messages"))),
        JsonValueKind.Null or JsonValueKind.Undefined => "",
        _ => throw OpenAiException.BadRequest($"messages[{index}].content must be a string or a list of text parts.", "messages"),
    };

    private static ChatLogProbs LogProbs(GeneratedText text, GeneratedSequence generated, ITextTokenizer tokenizer)
    {
        var content = new List<ChatTokenLogProb>();
        for (var i = 0; i < generated.TokenIds.Length; i++)
        {
            var id = generated.TokenIds[i];
            if (tokenizer.EndOfTurnIds.Contains(id)) continue; // not part of the message
            var top = (generated.TopLogProbs?[i] ?? []).Select(t => new ChatTopLogProb(text.Token(t.TokenId), t.LogProb, text.Bytes(t.TokenId))).ToList();
            content.Add(new ChatTokenLogProb(text.Token(id), generated.ModelLogProbs![i], text.Bytes(id), top));
        }
        return new ChatLogProbs(content);
    }
}
