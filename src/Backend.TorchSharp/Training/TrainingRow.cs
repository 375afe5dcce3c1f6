namespace GiGpoNet.Backend.Training;

/// <summary>
/// One step row ready for the update: its prompt and response ids, the response tokens' log-probabilities under the policy that
/// collected it, and their advantages. PPO rows also carry the critic's old values and the returns.
/// </summary>
/// <param name="PromptIds">The prompt as the policy saw it.</param>
/// <param name="ResponseIds">The generated tokens.</param>
/// <param name="OldLogProbs">logπ_old per response token.</param>
/// <param name="Advantages">Advantage per response token.</param>
/// <param name="OldValues">Critic values per response token (PPO), else <c>null</c>.</param>
/// <param name="Returns">Value targets per response token (PPO), else <c>null</c>.</param>
/// <param name="RolloutWeights">Truncated importance weights per response token (<see cref="RolloutCorrection"/>), else <c>null</c>.</param>
internal sealed record TrainingRow(int[] PromptIds, int[] ResponseIds, float[] OldLogProbs, float[] Advantages,
    float[]? OldValues = null, float[]? Returns = null, float[]? RolloutWeights = null);

/// <summary>What one call of <see cref="PolicyUpdater.Update"/> did, averaged over its micro-batches.</summary>
internal sealed record UpdateMetrics(
    double PolicyLoss, double ClipFraction, double ClipFractionLower, double ApproxKl, double Entropy, double KlLoss,
    double GradNorm, double LearningRate, int OptimizerSteps, int SkippedSteps, double? ValueLoss, double? ValueClipFraction)
{
    /// <summary>The metrics under verl's names.</summary>
    public IReadOnlyDictionary<string, double> ToDictionary()
    {
        var metrics = new Dictionary<string, double>
        {
            ["pg_loss"] = PolicyLoss, ["pg_clipfrac"] = ClipFraction, ["pg_clipfrac_lower"] = ClipFractionLower, ["ppo_kl"] = ApproxKl,
            ["entropy"] = Entropy, ["kl_loss"] = KlLoss, ["grad_norm"] = GradNorm, ["lr"] = LearningRate,
            ["optimizer_steps"] = OptimizerSteps, ["skipped_steps"] = SkippedSteps,
        };
        if (ValueLoss is { } v) metrics["vf_loss"] = v;
        if (ValueClipFraction is { } c) metrics["vf_clipfrac"] = c;
        return metrics;
    }
}
