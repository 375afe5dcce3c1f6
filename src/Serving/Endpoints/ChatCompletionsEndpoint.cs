using System.Text.Json;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the messages and tools go through the model's own chat template (with <c>chat_template_kwargs</c>);
/// the reply's log-probs cover its content tokens, under the distribution they were drawn from; <c>&lt;tool_call&gt;</c> blocks in a
/// reply become <c>tool_calls</c> when tools were offered; <c>stream: true</c> answers with server-sent events (the reply is generated
/// whole, then sent token by token).
/// </summary>
internal sealed class ChatCompletionsEndpoint(ServedPolicy policy, GenerationBatcher batcher, PolicyServerOptions options)
{
    public async Task<IResult> HandleAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<ChatCompletionRequest>(context);
        var model = policy.Resolve(request.Model);
        var tokenizer = policy.Tokenizer;
        var chat = ChatConversation.From(request);
        var readsTools = ChatConversation.ParsesToolCalls(request, chat);
        int[] prompt;
        try
        {
            prompt = tokenizer.EncodeChat(chat);
        }
        catch (ChatTemplateException e)
        {
            throw OpenAiException.BadRequest($"The model's chat template refused the conversation: {e.Message}", "messages");
        }
        if (request.TopLogprobs is not null && request.Logprobs != true)
            throw OpenAiException.BadRequest("top_logprobs needs \"logprobs\": true.", "top_logprobs");
        var topLogProbs = request.Logprobs == true ? request.TopLogprobs ?? 0 : 0;
        var sampling = RequestSampling.From(request, request.MaxCompletionTokens ?? request.MaxTokens, options.MaxTokens, topLogProbs, prompt.Length, 1,
            options, policy.Config.MaxPositionEmbeddings, tokenizer);
        var generated = await batcher.GenerateAsync(sampling.Work(model, [prompt]), context.RequestAborted);

        var text = new GeneratedText(tokenizer, request.ReturnTokensAsTokenIds);
        var replies = generated.Select(g => Reply(text.Text(g, sampling.Stops, request.IncludeStopStrInOutput), g, readsTools)).ToList();
        var completionTokens = generated.Sum(g => g.TokenIds.Length);
        var usage = new Usage(prompt.Length, completionTokens, prompt.Length + completionTokens);
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (request.Stream)
        {
            var includeUsage = request.StreamOptions.ValueKind == JsonValueKind.Object && request.StreamOptions.TryGetProperty("include_usage", out var flag)
                && flag.ValueKind == JsonValueKind.True;
            return new ServerSentEvents(Chunks(id, created, model, replies, generated, text, includeUsage ? usage : null));
        }
        var choices = replies.Select((r, i) => new ChatChoice(i, r.Message,
            request.Logprobs == true ? LogProbs(text, generated[i], tokenizer) : null, r.FinishReason, request.ReturnTokenIds ? generated[i].TokenIds : null)).ToList();
        return Results.Json(new ChatCompletionResponse(id, "chat.completion", created, model, choices, usage, request.ReturnTokenIds ? prompt : null), OpenAiJson.Options);
    }

    private sealed record ParsedReply(ChatMessageOut Message, string FinishReason);

    private static ParsedReply Reply(string content, GeneratedSequence generated, bool readsTools)
    {
        if (readsTools)
        {
            var (rest, calls) = ToolCallParser.Parse(content);
            if (calls.Count > 0)
                return new ParsedReply(new ChatMessageOut("assistant", rest.Length == 0 ? null : rest, null,
                    [.. calls.Select(c => new ToolCallOut(c.Id!, "function", new FunctionCallOut(c.Name, c.Arguments?.ToJsonString() ?? "{}")))]), "tool_calls");
        }
        return new ParsedReply(new ChatMessageOut("assistant", content, null, null), GeneratedText.FinishReason(generated));
    }

    /// <summary>
    /// The chunks of a streamed answer: per choice its role, its content token by token (decoded so far, so that a character split over
    /// tokens arrives whole), its tool calls, its finish reason; then the usage when asked for.
    /// </summary>
    private static IEnumerable<ChatCompletionChunk> Chunks(string id, long created, string model, IReadOnlyList<ParsedReply> replies,
        IReadOnlyList<GeneratedSequence> generated, GeneratedText text, Usage? usage)
    {
        ChatCompletionChunk Chunk(int choice, ChunkDelta delta, string? finish) => new(id, "chat.completion.chunk", created, model, [new ChunkChoice(choice, delta, finish)], null);
        for (var i = 0; i < replies.Count; i++)
        {
            yield return Chunk(i, new ChunkDelta("assistant", "", null), null);
            var content = replies[i].Message.Content ?? "";
            var sent = 0;
            foreach (var prefix in text.Prefixes(generated[i]))
            {
                var end = Math.Min(prefix.Length, content.Length);
                if (end <= sent || !content.StartsWith(prefix[..end], StringComparison.Ordinal)) continue;
                yield return Chunk(i, new ChunkDelta(null, content[sent..end], null), null);
                sent = end;
            }
            if (sent < content.Length) yield return Chunk(i, new ChunkDelta(null, content[sent..], null), null);
            if (replies[i].Message.ToolCalls is { } calls)
                yield return Chunk(i, new ChunkDelta(null, null, [.. calls.Select((c, n) => new ChunkToolCall(n, c.Id, c.Type, c.Function))]), null);
            yield return Chunk(i, new ChunkDelta(null, null, null), replies[i].FinishReason);
        }
        if (usage is not null) yield return new ChatCompletionChunk(id, "chat.completion.chunk", created, model, [], usage);
    }

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
