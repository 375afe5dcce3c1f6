namespace GiGpoNet.Backend.Training;

/// <summary>
/// Truncated importance sampling for a rollout engine that is not the learner (verl's rollout correction, token level, truncate
/// mode): per response token w = min(π_learner / π_rollout, threshold) = min(exp(logπ_old − logπ_rollout), threshold), which the
/// policy loss multiplies in, and the mismatch between the two engines.
/// </summary>
internal static class RolloutCorrection
{
    /// <summary>The metrics' names (verl's, under its <c>mismatch/</c> prefix).</summary>
    public const string WeightMean = "mismatch/rollout_is_mean", TruncatedFraction = "mismatch/rollout_is_ratio_fraction_high",
        Kl = "mismatch/mismatch_kl", K3Kl = "mismatch/mismatch_k3_kl";

    /// <summary>
    /// The weights of each row's tokens and the batch's mismatch metrics: the mean weight before truncation, the share of tokens
    /// truncated, KL(π_rollout ‖ π_learner) as the mean of logπ_rollout − logπ_learner and its k3 estimate (always ≥ 0).
    /// </summary>
    public static (float[][] Weights, IReadOnlyDictionary<string, double> Metrics) Compute(IReadOnlyList<float[]> learnerLogProbs,
        IReadOnlyList<float[]> rolloutLogProbs, double threshold)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(rolloutLogProbs.Count, learnerLogProbs.Count, nameof(rolloutLogProbs));
        double weightSum = 0, kl = 0, k3 = 0;
        long tokens = 0, truncated = 0;
        var weights = new float[learnerLogProbs.Count][];
        for (var row = 0; row < learnerLogProbs.Count; row++)
        {
            var (learner, rollout) = (learnerLogProbs[row], rolloutLogProbs[row]);
            if (learner.Length != rollout.Length)
                throw new ArgumentException($"Row {row + 1} has {learner.Length} learner log-probs and {rollout.Length} rollout log-probs.", nameof(rolloutLogProbs));
            weights[row] = new float[learner.Length];
            for (var t = 0; t < learner.Length; t++)
            {
                var logRatio = (double)learner[t] - rollout[t];
                var ratio = Math.Exp(logRatio);
                weights[row][t] = (float)Math.Min(ratio, threshold);
                weightSum += ratio;
                kl -= logRatio;
                k3 += ratio - logRatio - 1;
                if (ratio > threshold) truncated++;
                tokens++;
            }
        }
        var n = Math.Max(tokens, 1);
        return (weights, new Dictionary<string, double>
        {
            [WeightMean] = weightSum / n, [TruncatedFraction] = (double)truncated / n, [Kl] = kl / n, [K3Kl] = k3 / n,
        });
    }
}
