namespace GiGpoNet.Backend.Generation;

/// <summary>How to sample.</summary>
/// <param name="Temperature">Divides the logits; 0 or less means greedy.</param>
/// <param name="TopP">Keep the smallest set of tokens whose probability reaches this mass (1 = off).</param>
/// <param name="TopK">Keep the k most likely tokens (−1 or 0 = off).</param>
/// <param name="MaxNewTokens">Cap on generated tokens.</param>
/// <param name="StopStrings">Generation of a sequence stops once its text contains one of these (the token completing it is kept).</param>
/// <param name="Seed">Seed of the sampling generator: the same seed, model and prompts give the same tokens.</param>
public sealed record SamplingOptions(double Temperature = 1.0, double TopP = 1.0, int TopK = -1, int MaxNewTokens = 64,
    IReadOnlyList<string>? StopStrings = null, long Seed = 0)
{
    /// <summary>
    /// How many of the most likely tokens to record at every generated position, with their log-probabilities under the model's own
    /// distribution, as <see cref="GeneratedSequence.ModelLogProbs"/> (0, the default: none; see <see cref="GeneratedSequence.TopLogProbs"/>).
    /// </summary>
    public int TopLogProbs { get; init; }
}

/// <summary>One generated sequence.</summary>
/// <param name="TokenIds">The generated ids, the end-of-turn or stop-completing token included.</param>
/// <param name="LogProbs">Each token's log-probability under the distribution it was sampled from (after temperature, top-k and top-p).</param>
/// <param name="Text">The decoded text.</param>
/// <param name="Truncated">True when generation stopped at <see cref="SamplingOptions.MaxNewTokens"/>.</param>
public sealed record GeneratedSequence(int[] TokenIds, float[] LogProbs, string Text, bool Truncated)
{
    /// <summary>
    /// Per generated token, the <see cref="SamplingOptions.TopLogProbs"/> most likely tokens of the model's own distribution at that
    /// position (temperature 1, before top-k, top-p or a constraint), most likely first; null when none were asked for.
    /// </summary>
    public IReadOnlyList<TokenLogProb[]>? TopLogProbs { get; init; }

    /// <summary>
    /// Each token's log-probability under the model's own distribution (temperature 1, before top-k, top-p or a constraint): what the
    /// learner computes for it with the same weights.
    /// </summary>
    public float[]? ModelLogProbs { get; init; }
}

/// <summary>A token and its log-probability.</summary>
/// <param name="TokenId">The token's id.</param>
/// <param name="LogProb">Its log-probability.</param>
public readonly record struct TokenLogProb(int TokenId, float LogProb);
