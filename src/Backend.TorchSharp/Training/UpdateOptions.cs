using System.ComponentModel;
using GiGpoNet.Advantages;

namespace GiGpoNet.Backend.Training;

/// <summary>Learning-rate schedules.</summary>
[TypeConverter(typeof(LearningRateScheduleConverter))]
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout (verl's default).</summary>
    Constant,

    /// <summary>Linear warm-up over <see cref="UpdateOptions.WarmupSteps"/>, then constant.</summary>
    Warmup,

    /// <summary>Linear warm-up, then cosine decay to <see cref="UpdateOptions.MinLearningRateRatio"/> × the rate at <see cref="UpdateOptions.TotalSteps"/>.</summary>
    Cosine,
}

/// <summary>Accepts <c>constant</c>, <c>warmup</c>, <c>cosine</c> in any case.</summary>
public sealed class LearningRateScheduleConverter : SnakeCaseEnumConverter<LearningRateSchedule>;

/// <summary>
/// Options of the PPO-family policy (and critic) update, bound from <c>Update</c>. The defaults are verl-agent's GiGPO scripts' except
/// the learning rate and batch sizes, which are the built-in from-scratch policy's recipe (verl-agent's noted).
/// </summary>
public sealed class UpdateOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Update";

    /// <summary>AdamW learning rate of the policy. Default 1e-4, for the built-in from-scratch policy (verl-agent uses 1e-6 for 1.5B–7B models).</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>AdamW weight decay. Default 0.01.</summary>
    public double WeightDecay { get; set; } = 0.01;

    /// <summary>
    /// The policy loss, by its registered name: <c>vanilla</c> (PPO-clip with the dual clip, verl's default), or one registered with
    /// <c>builder.AddPolicyLoss&lt;TLoss&gt;("name")</c>. Default <c>vanilla</c>.
    /// </summary>
    public string PolicyLoss { get; set; } = VanillaPolicyLoss.Name;

    /// <summary>Lower clip ε_low of the ratio. Default 0.2.</summary>
    public double ClipRatioLow { get; set; } = 0.2;

    /// <summary>Upper clip ε_high of the ratio. Default 0.2 (DAPO uses 0.28).</summary>
    public double ClipRatioHigh { get; set; } = 0.2;

    /// <summary>Dual-clip constant c &gt; 1 for negative advantages. Default 3.</summary>
    public double ClipRatioC { get; set; } = 3.0;

    /// <summary>How the per-token losses are aggregated. Default <c>token-mean</c>.</summary>
    public LossAggregationMode LossAggMode { get; set; } = LossAggregationMode.TokenMean;

    /// <summary>Entropy bonus coefficient (the loss subtracts it × entropy). Default 0.001 (verl-agent).</summary>
    public double EntropyCoeff { get; set; } = 0.001;

    /// <summary>
    /// Recompute each decoder layer in the backward pass instead of keeping its activations (verl's
    /// <c>enable_gradient_checkpointing</c>): the same gradients for about a third more compute. Default false.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>
    /// Take the old log-probabilities from the rollout (<see cref="Data.RolloutFields.RolloutLogProbs"/>) instead of recomputing them
    /// before the update. Right only when the rollout engine is this learner's own model with the same weights (the built-in
    /// <c>torchsharp</c> policy), where they agree to float rounding; it saves one forward pass over the batch. Default false.
    /// </summary>
    public bool ReuseRolloutLogProbs { get; set; }

    /// <summary>
    /// Cut the micro-batches of the passes without gradient (old and reference log-probabilities, the critic's values) from the rows
    /// ordered by length, so that each pads to a length near its rows' own. A row's values then differ from the default order's only by
    /// float rounding (the attention's reductions run over another padded length). The gradient pass keeps its shuffled micro-batches:
    /// their make-up weighs the loss. Default false: the rows' order, as every pinned result was computed.
    /// </summary>
    public bool LengthBucketing { get; set; }

    /// <summary>
    /// Truncated importance sampling against the rollout engine (verl's <c>rollout_is_threshold</c>): when set, each token's policy
    /// loss is weighted by min(π_learner / π_rollout, this), from the recomputed old log-probs and the rollout's
    /// (<see cref="Data.RolloutFields.RolloutLogProbs"/>), and the mismatch metrics (<c>mismatch/*</c>) are reported every iteration.
    /// For a rollout engine other than the learner (an inference server); typical values 1.5 to 5. Default null: off.
    /// </summary>
    public double? RolloutIsThreshold { get; set; }

    /// <summary>
    /// Whether the weights of <see cref="RolloutIsThreshold"/> multiply the loss (verl's <c>rollout_is</c>); false reports the mismatch
    /// only. Default true.
    /// </summary>
    public bool RolloutIs { get; set; } = true;

    /// <summary>Add a KL-to-reference term to the loss. Default true, as every verl-agent script does.</summary>
    public bool UseKlLoss { get; set; } = true;

    /// <summary>Its coefficient. Default 0.01 (ALFWorld, WebShop).</summary>
    public double KlLossCoef { get; set; } = 0.01;

    /// <summary>Its estimator. Default <c>low_var_kl</c> (k3).</summary>
    public KlEstimator KlLossType { get; set; } = KlEstimator.K3;

    /// <summary>Gradient-norm clip. Default 1.0.</summary>
    public double GradClip { get; set; } = 1.0;

    /// <summary>Step rows per optimizer step. Default 64 (verl-agent 256).</summary>
    public int MiniBatchSize { get; set; } = 64;

    /// <summary>Step rows per forward/backward pass (gradients accumulate over a mini-batch). Default 16 (verl-agent 8).</summary>
    public int MicroBatchSize { get; set; } = 16;

    /// <summary>Passes over the batch per iteration. Default 1.</summary>
    public int Epochs { get; set; } = 1;

    /// <summary>Learning-rate schedule. Default constant.</summary>
    public LearningRateSchedule Schedule { get; set; } = LearningRateSchedule.Constant;

    /// <summary>Linear warm-up steps. Default 0.</summary>
    public int WarmupSteps { get; set; }

    /// <summary>Optimizer steps of the whole run, for the cosine schedule. Default 1000.</summary>
    public int TotalSteps { get; set; } = 1000;

    /// <summary>Final learning rate of the cosine schedule as a fraction of the peak. Default 0.</summary>
    public double MinLearningRateRatio { get; set; }

    /// <summary>AdamW learning rate of the critic (PPO). Default 1e-5.</summary>
    public double CriticLearningRate { get; set; } = 1e-5;

    /// <summary>Value clip range. Default 0.5.</summary>
    public double ValueClipRange { get; set; } = 0.5;

    /// <summary>Factor on the value loss: 1 in verl-agent's fork, 0.5 upstream. Default 1.</summary>
    public double ValueLossScale { get; set; } = 1.0;

    /// <summary>Seed of the row shuffling between mini-batches.</summary>
    public long Seed { get; set; }

    /// <summary>Lists what is wrong, one sentence each.</summary>
    public IEnumerable<string> Validate()
    {
        if (!(LearningRate > 0)) yield return $"{nameof(LearningRate)} = {LearningRate} must be greater than 0.";
        if (!(CriticLearningRate > 0)) yield return $"{nameof(CriticLearningRate)} = {CriticLearningRate} must be greater than 0.";
        if (!(ClipRatioLow > 0 && ClipRatioLow < 1)) yield return $"{nameof(ClipRatioLow)} = {ClipRatioLow} must be in (0, 1).";
        if (!(ClipRatioHigh > 0)) yield return $"{nameof(ClipRatioHigh)} = {ClipRatioHigh} must be greater than 0.";
        if (!(ClipRatioC > 1)) yield return $"{nameof(ClipRatioC)} = {ClipRatioC} must be greater than 1.";
        if (MiniBatchSize < 1 || MicroBatchSize < 1) yield return "MiniBatchSize and MicroBatchSize must be at least 1.";
        if (MicroBatchSize > MiniBatchSize) yield return $"{nameof(MicroBatchSize)} = {MicroBatchSize} must not exceed {nameof(MiniBatchSize)} = {MiniBatchSize}.";
        if (Epochs < 1) yield return $"{nameof(Epochs)} = {Epochs} must be at least 1.";
        if (!(GradClip > 0)) yield return $"{nameof(GradClip)} = {GradClip} must be greater than 0.";
        if (WarmupSteps < 0 || TotalSteps < 1) yield return "WarmupSteps must be 0 or more and TotalSteps at least 1.";
        if (EntropyCoeff < 0 || KlLossCoef < 0) yield return "EntropyCoeff and KlLossCoef must be 0 or more.";
        if (RolloutIsThreshold is { } threshold && !(threshold >= 1))
            yield return $"{nameof(RolloutIsThreshold)} = {threshold} must be at least 1 (it caps π_learner / π_rollout; typical values are 1.5 to 5), or unset.";
        if (RolloutIsThreshold is not null && ReuseRolloutLogProbs)
            yield return $"{nameof(RolloutIsThreshold)} corrects for a rollout engine that differs from the learner, and {nameof(ReuseRolloutLogProbs)} " +
                         "assumes it does not: set one of them.";
    }

    /// <summary>The learning-rate factor at optimizer step <paramref name="step"/> (0-based).</summary>
    public double LearningRateFactor(int step)
    {
        if (WarmupSteps > 0 && step < WarmupSteps && Schedule != LearningRateSchedule.Constant) return (step + 1.0) / WarmupSteps;
        if (Schedule != LearningRateSchedule.Cosine) return 1.0;
        var progress = Math.Clamp((double)(step - WarmupSteps) / Math.Max(1, TotalSteps - WarmupSteps), 0, 1);
        return MinLearningRateRatio + (1 - MinLearningRateRatio) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
