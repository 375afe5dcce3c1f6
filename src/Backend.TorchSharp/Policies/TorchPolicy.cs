using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Policies;

namespace GiGpoNet.Backend.Policies;

/// <summary>
/// The language-model policy of the rollout loop: each prompt is wrapped in the tokenizer's chat template and encoded once; all prompts
/// are generated in one batch with the KV cache; the generated ids and their log-probabilities are returned for training. A prompt with
/// <see cref="PolicyPrompt.AllowedResponses"/> is decoded under that constraint.
/// </summary>
public sealed class TorchPolicy(Qwen2ForCausalLM model, ITextTokenizer tokenizer, int maxPromptTokens = 2048) : IPolicy, IPromptTokenizer
{
    private readonly TextGenerator _generator = new(model, tokenizer);

    /// <summary>The model.</summary>
    public Qwen2ForCausalLM Model => model;

    /// <summary>The tokenizer.</summary>
    public ITextTokenizer Tokenizer => tokenizer;

    /// <inheritdoc />
    public int[] EncodePrompt(string userMessage) => tokenizer.EncodeUserMessage(userMessage);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(settings);
        cancellationToken.ThrowIfCancellationRequested();
        var encoded = prompts.Select(p => EncodePrompt(p.UserMessage)).ToList();
        var tooLong = encoded.FindIndex(e => e.Length > maxPromptTokens);
        if (tooLong >= 0)
            throw new InvalidOperationException(
                $"Prompt {tooLong} has {encoded[tooLong].Length} tokens, more than the limit of {maxPromptTokens}; shorten the history (Rollout:HistoryLength) or raise the " +
                    $"limit.");
        var allowed = prompts.Any(p => p.AllowedResponses is not null)
            ? prompts.Select(p => p.AllowedResponses is { } texts ? (IReadOnlyList<int[]>)[.. texts.Distinct().Select(t => tokenizer.Encode(t))] : null).ToList()
            : null;
        var maxNewTokens = allowed is null ? settings.MaxNewTokens : Math.Max(settings.MaxNewTokens, allowed.Max(a => a?.Max(t => t.Length) ?? 0));
        var longest = encoded.Max(e => e.Length);
        if (longest + maxNewTokens > model.Config.MaxPositionEmbeddings)
            throw new GiGpoNetConfigurationException($"A prompt of {longest} tokens plus {maxNewTokens} new ones exceeds the model's max_position_embeddings = " +
                $"{model.Config.MaxPositionEmbeddings}; lower Rollout:MaxNewTokens or shorten the prompt (Rollout:HistoryLength).");
        var generated = _generator.Generate(encoded,
            new SamplingOptions(settings.Temperature, settings.TopP, settings.TopK, maxNewTokens, settings.StopStrings, settings.Seed), allowed: allowed,
            cancellationToken: cancellationToken);
        IReadOnlyList<PolicyGeneration> result = [.. generated.Select((g, i) => new PolicyGeneration(g.Text, encoded[i], g.TokenIds, g.LogProbs, g.Truncated)
        {
            ModelLogProbs = g.ModelLogProbs,
        })];
        return ValueTask.FromResult(result);
    }
}
