namespace GiGpoNet.Policies;

/// <summary>
/// A language-model policy that answers batches of prompts. The token ids and log-probabilities it returns are kept for
/// training: the update never re-tokenizes generated text.
/// </summary>
public interface IPolicy
{
    /// <summary>Generates one response per prompt, all prompts in one batch.</summary>
    ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
        CancellationToken cancellationToken = default);
}

/// <summary>One prompt: a single user message that the policy wraps in its chat template.</summary>
/// <param name="UserMessage">The message text.</param>
/// <param name="AllowedResponses">
/// When given, the answer must be exactly one of these texts: the policy decodes under that constraint (each token is drawn among those
/// that continue an allowed text), as TWOSOME and grammar-constrained decoding do for agents with a known action set. Null: free text.
/// </param>
public sealed record PolicyPrompt(string UserMessage, IReadOnlyList<string>? AllowedResponses = null);

/// <summary>One generated response.</summary>
/// <param name="Text">The decoded response.</param>
/// <param name="PromptTokenIds">The prompt as the policy tokenized it (chat template included).</param>
/// <param name="ResponseTokenIds">The generated token ids.</param>
/// <param name="LogProbs">Log-probability of each generated token under the sampling distribution.</param>
/// <param name="Truncated">Whether generation stopped at the token limit rather than at a stop string or end of sequence.</param>
public sealed record PolicyGeneration(string Text, int[] PromptTokenIds, int[] ResponseTokenIds, float[] LogProbs, bool Truncated)
{
    /// <summary>
    /// Log-probability of each generated token under the model's own distribution (temperature 1, before top-k, top-p or a constraint),
    /// which a learner with the same weights computes; <c>null</c> when the policy cannot tell.
    /// </summary>
    public float[]? ModelLogProbs { get; init; }

    /// <summary>
    /// Why the policy could not answer this prompt (a remote server's last error after its retries), or <c>null</c>. The rollout ends
    /// the trajectory as failed, as it does when an environment fails; the other trajectories go on.
    /// </summary>
    public string? Failure { get; init; }

    /// <summary>A generation that failed: no tokens, and <see cref="Failure"/> says why.</summary>
    public static PolicyGeneration Failed(int[] promptTokenIds, string failure) => new("", promptTokenIds, [], [], false) { Failure = failure };
}

/// <summary>Sampling settings for one generation call.</summary>
/// <param name="Temperature">Sampling temperature; 0 means greedy.</param>
/// <param name="TopP">Nucleus sampling mass (1 = off).</param>
/// <param name="TopK">Keep the k most likely tokens (-1 = off).</param>
/// <param name="MaxNewTokens">Cap on generated tokens per response.</param>
/// <param name="StopStrings">Generation stops after any of these strings (for example <c>&lt;/action&gt;</c>).</param>
/// <param name="Seed">Seed for reproducible sampling.</param>
public sealed record GenerationSettings(double Temperature, double TopP, int TopK, int MaxNewTokens, IReadOnlyList<string> StopStrings, long Seed);
