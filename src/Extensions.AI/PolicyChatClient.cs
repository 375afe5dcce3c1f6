using System.Runtime.CompilerServices;
using System.Text.Json;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using Microsoft.Extensions.AI;

namespace GiGpoNet.Extensions.AI;

/// <summary>
/// A trained policy as an <see cref="IChatClient"/>: the conversation goes through the model's chat template, the reply is sampled
/// with the request's <see cref="ChatOptions"/> (temperature, top-p, top-k, maximum output tokens, stop sequences, seed). One request
/// generates at a time. An agent trained with constrained decoding can be asked for one of a list of answers:
/// <see cref="AllowedResponsesKey"/> in <see cref="ChatOptions.AdditionalProperties"/>.
/// </summary>
public sealed class PolicyChatClient : IChatClient
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key of the answers the reply must be one of (a list of strings): decoding is
    /// constrained to them, as the rollouts of <c>Rollout:ConstrainToAdmissibleActions</c> are.
    /// </summary>
    public const string AllowedResponsesKey = "allowed_responses";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key of extra chat-template arguments (a dictionary, such as Qwen3's
    /// <c>enable_thinking</c>), as vLLM's <c>chat_template_kwargs</c>.
    /// </summary>
    public const string TemplateArgumentsKey = "chat_template_kwargs";

    private readonly Qwen2ForCausalLM _model;
    private readonly ITextTokenizer _tokenizer;
    private readonly TextGenerator _generator;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ChatClientMetadata _metadata;

    private PolicyChatClient(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string modelId)
    {
        _model = model;
        _tokenizer = tokenizer;
        _generator = new TextGenerator(model, tokenizer);
        _metadata = new ChatClientMetadata("gigpo", providerUri: null, defaultModelId: modelId);
    }

    /// <summary>The reply's length when the request sets no <see cref="ChatOptions.MaxOutputTokens"/>. Default 64.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 64;

    /// <summary>The temperature when the request sets none. Default 0.4, as <c>gigpo eval</c> samples.</summary>
    public double DefaultTemperature { get; init; } = 0.4;

    /// <summary>
    /// Loads a policy saved by <c>gigpo train</c> (<c>checkpoints/final</c>, its LoRA adapter merged) or a Hugging Face model folder with
    /// its tokenizer.
    /// </summary>
    /// <param name="checkpoint">The folder.</param>
    /// <param name="backend">Device and dtype (default: the CPU, float32).</param>
    public static PolicyChatClient Load(string checkpoint, BackendOptions? backend = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        backend ??= new BackendOptions { Device = "cpu" };
        backend.ApplyProcessSettings();
        var (model, tokenizer) = PolicyCheckpoints.Load(checkpoint, backend);
        return new PolicyChatClient(model, tokenizer, Path.GetFileName(Path.GetFullPath(checkpoint).TrimEnd('/')));
    }

    /// <inheritdoc />
    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (prompt, generated, readsTools) = await GenerateAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var (message, finish) = Message(Reply(generated), generated, readsTools);
        return new ChatResponse(message)
        {
            ModelId = options?.ModelId ?? _metadata.DefaultModelId,
            FinishReason = finish,
            Usage = new UsageDetails { InputTokenCount = prompt.Length, OutputTokenCount = generated.TokenIds.Length, TotalTokenCount = prompt.Length + generated.TokenIds.Length },
            CreatedAt = DateTimeOffset.UtcNow,
        };
    }

    /// <summary>
    /// Streams the reply one token per update. The whole reply is sampled first (the backend generates a batch at once), so the
    /// first update comes when generation ends; the last update carries the finish reason and the token counts.
    /// </summary>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (prompt, generated, readsTools) = await GenerateAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var responseId = Guid.NewGuid().ToString("N");
        var (message, finish) = Message(Reply(generated), generated, readsTools);
        if (message.Contents.OfType<FunctionCallContent>().Any())
        {
            // A reply that calls tools is sent whole: its text would otherwise show the raw <tool_call> blocks.
            yield return new ChatResponseUpdate(ChatRole.Assistant, [.. message.Contents]) { ResponseId = responseId, ModelId = options?.ModelId ?? _metadata.DefaultModelId };
            yield return Last(responseId, options, finish, prompt, generated);
            yield break;
        }
        var content = ContentIds(generated);
        var written = "";
        for (var i = 0; i < content.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var sofar = _tokenizer.Decode(content.AsSpan(0, i + 1));
            var piece = sofar[written.Length..];
            written = sofar;
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece) { ResponseId = responseId, ModelId = options?.ModelId ?? _metadata.DefaultModelId };
        }
        yield return Last(responseId, options, finish, prompt, generated);
    }

    private ChatResponseUpdate Last(string responseId, ChatOptions? options, ChatFinishReason finish, int[] prompt, GeneratedSequence generated) => new()
    {
        Role = ChatRole.Assistant, ResponseId = responseId, ModelId = options?.ModelId ?? _metadata.DefaultModelId, FinishReason = finish,
        Contents = [new UsageContent(new UsageDetails { InputTokenCount = prompt.Length, OutputTokenCount = generated.TokenIds.Length })],
    };

    /// <summary>The reply as a message: its text, and its <c>&lt;tool_call&gt;</c> blocks as function calls when tools were offered.</summary>
    private static (ChatMessage Message, ChatFinishReason Finish) Message(string text, GeneratedSequence generated, bool readsTools)
    {
        var finish = generated.Truncated ? ChatFinishReason.Length : ChatFinishReason.Stop;
        if (!readsTools) return (new ChatMessage(ChatRole.Assistant, text), finish);
        var (content, calls) = ToolCallParser.Parse(text);
        if (calls.Count == 0) return (new ChatMessage(ChatRole.Assistant, text), finish);
        var contents = new List<AIContent>();
        if (content.Length > 0) contents.Add(new TextContent(content));
        contents.AddRange(calls.Select(c => new FunctionCallContent(c.Id!, c.Name,
            c.Arguments is System.Text.Json.Nodes.JsonObject arguments ? JsonSerializer.Deserialize<Dictionary<string, object?>>(arguments.ToJsonString()) : null)));
        return (new ChatMessage(ChatRole.Assistant, contents), ChatFinishReason.ToolCalls);
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _model.Dispose();
        _gate.Dispose();
    }

    private async Task<(int[] Prompt, GeneratedSequence Generated, bool ReadsTools)> GenerateAsync(IEnumerable<ChatMessage> messages, ChatOptions? options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var request = ChatPrompt.From(messages.ToList(), options);
        var prompt = _tokenizer.EncodeChat(request);
        var allowed = AllowedResponses(options);
        var maxTokens = options?.MaxOutputTokens ?? DefaultMaxOutputTokens;
        if (maxTokens < 1) throw new ArgumentException($"MaxOutputTokens = {maxTokens} must be at least 1.", nameof(options));
        if (allowed is not null) maxTokens = Math.Max(maxTokens, allowed.Max(a => a.Length));
        var sampling = new SamplingOptions(options?.Temperature ?? DefaultTemperature, options?.TopP ?? 1.0, options?.TopK ?? -1, maxTokens,
            options?.StopSequences is { Count: > 0 } stops ? [.. stops] : null, options?.Seed ?? 0);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var generated = await Task.Run(() => _generator.Generate([prompt], sampling, allowed: allowed is null ? null : [allowed],
                cancellationToken: cancellationToken)[0], cancellationToken).ConfigureAwait(false);
            return (prompt, generated, request.Tools is { Count: > 0 });
        }
        finally
        {
            _gate.Release();
        }
    }

    private IReadOnlyList<int[]>? AllowedResponses(ChatOptions? options)
    {
        if (options?.AdditionalProperties?.TryGetValue(AllowedResponsesKey, out var value) != true || value is null) return null;
        var texts = value as IEnumerable<string>
                    ?? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{AllowedResponsesKey}\"] must be a list of strings.", nameof(options));
        var list = texts.Distinct().Select(t => _tokenizer.Encode(t)).ToList();
        return list.Count == 0 || list.Any(t => t.Length == 0)
            ? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{AllowedResponsesKey}\"] needs at least one non-empty answer.", nameof(options))
            : list;
    }

    /// <summary>The reply's text without the end-of-turn token.</summary>
    private string Reply(GeneratedSequence generated) => _tokenizer.Decode(ContentIds(generated));

    /// <summary>The generated ids without the end-of-turn token.</summary>
    private int[] ContentIds(GeneratedSequence generated) => [.. generated.TokenIds.Where(id => !_tokenizer.EndOfTurnIds.Contains(id))];
}
