using System.Diagnostics;
using System.Globalization;
using GiGpoNet.Learning;
using GiGpoNet.Policies.OpenAI.Protocol;

namespace GiGpoNet.Policies.OpenAI;

/// <summary>
/// A policy on an OpenAI-compatible inference server (vLLM, SGLang, <c>gigpo serve-policy</c>): each prompt goes to
/// <c>POST /v1/completions</c> as the learner's token ids, at most <see cref="OpenAiPolicyOptions.MaxConcurrency"/> at once, and the
/// answer's token ids and per-token log-probs come back for training. A prompt whose request still fails after the retries comes
/// back as <see cref="PolicyGeneration.Failed"/>, so that only its trajectory ends. Before each rollout the learner's weights are
/// synced to the server (<see cref="OpenAiPolicyOptions.WeightSync"/>).
/// </summary>
public sealed class OpenAiPolicy : IWeightSyncedPolicy, IDisposable
{
    private const string TokenIdPrefix = "token_id:";
    private readonly OpenAiPolicyOptions _options;
    private readonly IPromptTokenizer _tokenizer;
    private readonly InferenceServerClient _client;
    private readonly SemaphoreSlim _slots;
    private readonly string _syncRoot;
    private int _syncs;
    private string? _previousSync;

    /// <summary>Creates the policy; <paramref name="tokenizer"/> is the learner's, which makes the token-id prompts.</summary>
    public OpenAiPolicy(OpenAiPolicyOptions options, IPromptTokenizer tokenizer) : this(options, tokenizer, null)
    {
    }

    internal OpenAiPolicy(OpenAiPolicyOptions options, IPromptTokenizer tokenizer, HttpMessageHandler? handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new GiGpoNetConfigurationException(string.Join(" ", problems));
        (_options, _tokenizer) = (options, tokenizer);
        _client = new InferenceServerClient(options, handler);
        _slots = new SemaphoreSlim(options.MaxConcurrency);
        _syncRoot = Path.GetFullPath(options.SyncDirectory ?? Path.Combine(Path.GetTempPath(), "gigpo-weight-sync", Guid.NewGuid().ToString("N")));
        ServedModel = options.Model;
    }

    /// <summary>The model the requests name: <see cref="OpenAiPolicyOptions.Model"/>, or the adapter last loaded by a LoRA sync.</summary>
    public string ServedModel { get; private set; }

    /// <summary>
    /// Checks that the server serves <see cref="OpenAiPolicyOptions.Model"/> and answers a token-id prompt with token ids and log-probs.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">One line saying what the server lacks, or that it cannot be reached.</exception>
    public static async Task CheckServerAsync(OpenAiPolicyOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var client = new InferenceServerClient(options);
        var where = $"The inference server at {options.BaseAddress} (Policies:openai:BaseAddress)";
        try
        {
            var names = await ServedModelsAsync(client, cancellationToken).ConfigureAwait(false);
            if (!names.Contains(options.Model, StringComparer.Ordinal))
                throw new GiGpoNetConfigurationException($"{where} does not serve '{options.Model}'; it serves {string.Join(", ", names.DefaultIfEmpty("nothing"))}: " +
                                                         "set Policies:openai:Model to one of them.");
            var answer = await client.SendAsync<CompletionResponse>(HttpMethod.Post, new Uri(client.ApiAddress, "completions"),
                new CompletionRequest(options.Model, [0, 1], 1, 0, 1, 0), cancellationToken).ConfigureAwait(false);
            if (Read(answer) is { Failure: { } lacking })
                throw new GiGpoNetConfigurationException($"{where} cannot train a policy: {lacking}");
        }
        catch (InferenceServerException e)
        {
            throw new GiGpoNetConfigurationException($"{where} did not answer as an OpenAI-compatible server: {e.Message}");
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(settings);
        var model = ServedModel;
        var answers = await Task.WhenAll(prompts.Select((prompt, i) => GenerateOneAsync(model, prompt, settings, i, cancellationToken))).ConfigureAwait(false);
        return answers;
    }

    private async Task<PolicyGeneration> GenerateOneAsync(string model, PolicyPrompt prompt, GenerationSettings settings, int index, CancellationToken cancellationToken)
    {
        var ids = _tokenizer.EncodePrompt(prompt.UserMessage);
        // A constrained turn may need more tokens than MaxNewTokens to finish its longest choice (the in-process policy allows for it too); a
        // choice has at most one token per UTF-8 byte, and guided decoding stops where the choice ends, so the bound costs nothing.
        var maxTokens = prompt.AllowedResponses is { Count: > 0 } choices
            ? Math.Max(settings.MaxNewTokens, choices.Max(c => System.Text.Encoding.UTF8.GetByteCount(c)) + 1)
            : settings.MaxNewTokens;
        var request = new CompletionRequest(model, ids, maxTokens, settings.Temperature, settings.TopP, unchecked(settings.Seed * 1_000_003 + index))
        {
            TopK = settings.TopK > 0 ? settings.TopK : null,
            Stop = settings.StopStrings.Count > 0 ? settings.StopStrings : null,
            GuidedChoice = prompt.AllowedResponses is { Count: > 0 } allowed ? [.. allowed.Distinct()] : null,
        };
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var answer = await _client.SendAsync<CompletionResponse>(HttpMethod.Post, new Uri(_client.ApiAddress, "completions"), request, cancellationToken)
                .ConfigureAwait(false);
            var read = Read(answer);
            return read.Failure is { } failure ? PolicyGeneration.Failed(ids, failure) : new PolicyGeneration(read.Text, ids, read.TokenIds, read.LogProbs, read.Truncated)
            {
                ModelLogProbs = read.LogProbs,
            };
        }
        catch (InferenceServerException e)
        {
            return PolicyGeneration.Failed(ids, e.Message);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>An answer's first choice, or what it lacks.</summary>
    private static (string Text, int[] TokenIds, float[] LogProbs, bool Truncated, string? Failure) Read(CompletionResponse answer)
    {
        if (answer.Choices is not [var choice, ..]) return ("", [], [], false, "its completion answer has no choices.");
        var tokens = choice.TokenIds?.ToArray() ?? TokenIds(choice.Logprobs?.Tokens);
        if (tokens is null)
            return ("", [], [], false, "its completion answer has no token ids: it needs vLLM's return_token_ids or return_tokens_as_token_ids.");
        if (choice.Logprobs?.TokenLogprobs is not { } logProbs || logProbs.Count != tokens.Length || logProbs.Any(v => v is not { } f || !float.IsFinite(f)))
            return ("", [], [], false, $"its completion answer has no finite log-prob for each of its {tokens.Length} tokens (logprobs.token_logprobs).");
        return (choice.Text ?? "", tokens, [.. logProbs.Select(v => v!.Value)], choice.FinishReason == "length", null);
    }

    private static int[]? TokenIds(IReadOnlyList<string>? tokens)
    {
        if (tokens is null) return null;
        var ids = new int[tokens.Count];
        for (var i = 0; i < ids.Length; i++)
            if (!tokens[i].StartsWith(TokenIdPrefix, StringComparison.Ordinal)
                || !int.TryParse(tokens[i].AsSpan(TokenIdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out ids[i]))
                return null;
        return ids;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A sync that cannot reach the server is tried again until <see cref="OpenAiPolicyOptions.TimeoutSeconds"/> have passed (a restarting
    /// server); a server that no longer lists the adapter last loaded has restarted, and gets the base weights again before the new adapter.
    /// </remarks>
    public async ValueTask SyncWeightsAsync(ILearner learner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (_options.WeightSync == WeightSyncMode.None) return;
        var folder = Path.Combine(_syncRoot, $"sync-{++_syncs:D6}");
        learner.SavePolicy(folder);
        var saved = Path.Combine(folder, "adapter");
        var lora = _options.WeightSync == WeightSyncMode.Lora || (_options.WeightSync == WeightSyncMode.Auto && Directory.Exists(saved));
        if (lora && !Directory.Exists(saved))
            throw new GiGpoNetConfigurationException("Policies:openai:WeightSync = Lora, but the learner trains no adapter: set Policy:Lora:Rank, or WeightSync = Full.");
        // The adapter moves beside the base weights, so that a full reload reads the base alone.
        string? adapter = lora ? folder + "-adapter" : null;
        if (adapter is not null) Directory.Move(saved, adapter);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await PushAsync(folder, adapter, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (InferenceServerException e) when (e.Unreachable && clock.Elapsed < TimeSpan.FromSeconds(_options.TimeoutSeconds))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(_options.RetryDelayMilliseconds, 100)), cancellationToken).ConfigureAwait(false);
            }
        }
        DeletePrevious();
    }

    /// <summary>Sends the synced weights: the whole policy, or the adapter (after the base, first, and again when the server has lost the last adapter by restarting).</summary>
    private async Task PushAsync(string folder, string? adapter, CancellationToken cancellationToken)
    {
        if (adapter is null)
        {
            await ReloadAsync(folder, cancellationToken).ConfigureAwait(false);
            return;
        }
        var served = await ServedModelsAsync(_client, cancellationToken).ConfigureAwait(false);
        if (_syncs == 1 || !served.Contains(ServedModel, StringComparer.Ordinal))
        {
            await ReloadAsync(folder, cancellationToken).ConfigureAwait(false); // the server starts from the learner's base
            ServedModel = _options.Model;
        }
        await LoadAdapterAsync(adapter, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The names the server lists at <c>/v1/models</c>.</summary>
    private static async Task<List<string>> ServedModelsAsync(InferenceServerClient client, CancellationToken cancellationToken)
    {
        var models = await client.SendAsync<ModelList>(HttpMethod.Get, new Uri(client.ApiAddress, "models"), null, cancellationToken).ConfigureAwait(false);
        return [.. (models.Data ?? []).Select(m => m.Id).OfType<string>()];
    }

    private async Task ReloadAsync(string folder, CancellationToken cancellationToken)
    {
        var answer = await _client.SendAsync<UpdateWeightsAnswer>(HttpMethod.Post, new Uri(_client.RootAddress, "update_weights_from_disk"),
            new UpdateWeightsRequest(folder), cancellationToken).ConfigureAwait(false);
        if (!answer.Success) throw new InferenceServerException(null, $"The server did not take the weights in '{folder}': {answer.Message}");
    }

    private async Task LoadAdapterAsync(string adapter, CancellationToken cancellationToken)
    {
        var name = $"{_options.Model}-sync-{_syncs}";
        await _client.SendAsync(HttpMethod.Post, new Uri(_client.ApiAddress, "load_lora_adapter"), new LoadLoraAdapterRequest(name, adapter), cancellationToken)
            .ConfigureAwait(false);
        var previous = ServedModel;
        ServedModel = name;
        if (previous != _options.Model)
            await _client.SendAsync(HttpMethod.Post, new Uri(_client.ApiAddress, "unload_lora_adapter"), new UnloadLoraAdapterRequest(previous), cancellationToken)
                .ConfigureAwait(false);
    }

    /// <summary>Deletes the weights of the sync before this one: the server holds what it read in memory.</summary>
    private void DeletePrevious()
    {
        foreach (var stale in _previousSync is { } previous ? (string[])[previous, previous + "-adapter"] : [])
            if (Directory.Exists(stale)) Directory.Delete(stale, recursive: true);
        _previousSync = Path.Combine(_syncRoot, $"sync-{_syncs:D6}");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client.Dispose();
        _slots.Dispose();
    }

    private sealed record UpdateWeightsAnswer(bool Success, string? Message);
}
