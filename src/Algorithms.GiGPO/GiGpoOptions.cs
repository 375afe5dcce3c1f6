using GiGpoNet.Advantages;

namespace GiGpoNet.Algorithms.GiGpo;

/// <summary>
/// Options of the GiGPO estimator, bound from <c>Algorithms:gigpo</c>. Each property names the verl-agent parameter it
/// corresponds to, and <c>gigpo advantages --param</c> accepts those names.
/// </summary>
public sealed class GiGpoOptions : AdvantageEstimatorOptions
{
    /// <summary>
    /// Normalization of both levels (<c>algorithm.gigpo.mode</c>): <c>mean_norm</c> (the paper's "w/o std", verl-agent's default)
    /// or <c>mean_std_norm</c> (the paper's "w/ std"; the ALFWorld script's choice). Default <c>mean_norm</c>.
    /// </summary>
    [ReferenceParameter("mode")]
    public AdvantageNormalization Mode { get; set; } = AdvantageNormalization.MeanNorm;

    /// <summary>Overrides <see cref="Mode"/> for the episode level only. Default: not set (use <see cref="Mode"/>).</summary>
    public AdvantageNormalization? EpisodeMode { get; set; }

    /// <summary>Overrides <see cref="Mode"/> for the step level only. Default: not set (use <see cref="Mode"/>).</summary>
    public AdvantageNormalization? StepMode { get; set; }

    /// <summary>
    /// Discount γ of the step returns R_t = Σ_k γ^(k−t) r_k (<c>algorithm.gamma</c>), in (0, 1]. Default 0.95: the paper's value and
    /// that of every GiGPO example script (verl's config default is 1.0).
    /// </summary>
    [ReferenceParameter("gamma")]
    public double Gamma { get; set; } = 0.95;

    /// <summary>ω, the weight of the step-level advantage: A = A_episode + ω·A_step (<c>step_advantage_w</c>). Default 1.0; 0 removes the step level.</summary>
    [ReferenceParameter("step_advantage_w")]
    public double StepAdvantageWeight { get; set; } = 1.0;

    /// <summary>
    /// Weight of the episode-level advantage. Default 1.0; 0 removes the episode level (an ablation the paper runs;
    /// not a verl-agent parameter).
    /// </summary>
    public double EpisodeAdvantageWeight { get; set; } = 1.0;

    /// <summary>ε added to the standard deviation in <c>mean_std_norm</c>. Default 1e-6.</summary>
    [ReferenceParameter("epsilon")]
    public double Epsilon { get; set; } = 1e-6;

    /// <summary>
    /// Group steps whose anchors are similar rather than identical (<c>enable_similarity</c>): greedy clustering against each
    /// cluster's first member with difflib's <c>SequenceMatcher(None, a, b).ratio()</c>. Default false (exact match).
    /// </summary>
    [ReferenceParameter("enable_similarity")]
    public bool EnableSimilarity { get; set; }

    /// <summary>Similarity a step needs to join a cluster, in (0, 1) (<c>similarity_thresh</c>). Default 0.95; the paper's QA runs use 0.9.</summary>
    [ReferenceParameter("similarity_thresh")]
    public double SimilarityThreshold { get; set; } = 0.95;

    /// <summary>
    /// What the episode-level mean and std are taken over (<c>compute_mean_std_cross_steps</c>): every step row (<c>step_rows</c>,
    /// verl-agent's default, length-weighted) or one value per trajectory (<c>trajectories</c>, the paper's Eq. 3). Default <c>step_rows</c>.
    /// </summary>
    [ReferenceParameter("compute_mean_std_cross_steps")]
    public GroupStatisticsScope StatisticsScope { get; set; } = GroupStatisticsScope.StepRows;

    /// <summary>The normalization used at the episode level.</summary>
    public AdvantageNormalization EffectiveEpisodeMode => EpisodeMode ?? Mode;

    /// <summary>The normalization used at the step level.</summary>
    public AdvantageNormalization EffectiveStepMode => StepMode ?? Mode;

    /// <inheritdoc />
    public override IEnumerable<string> Validate()
    {
        foreach (var failure in base.Validate()) yield return failure;
        foreach (var failure in ValidateDiscount(nameof(Gamma), Gamma)) yield return failure;
        foreach (var failure in ValidateEpsilon(nameof(Epsilon), Epsilon)) yield return failure;
        if (!double.IsFinite(StepAdvantageWeight))
            yield return $"{nameof(StepAdvantageWeight)} = {StepAdvantageWeight} must be a finite number.";
        if (!double.IsFinite(EpisodeAdvantageWeight))
            yield return $"{nameof(EpisodeAdvantageWeight)} = {EpisodeAdvantageWeight} must be a finite number.";
        if (EnableSimilarity && !(SimilarityThreshold >= 0 && SimilarityThreshold <= 1))
            yield return $"{nameof(SimilarityThreshold)} = {SimilarityThreshold} must be in [0, 1] when {nameof(EnableSimilarity)} is true (a similarity ratio never leaves it).";
    }
}
