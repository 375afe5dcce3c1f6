namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The catalogue of metric names a run writes (metrics.jsonl, metrics.csv, TensorBoard, summary.json): the trainer's own, and those the
/// built-in estimators, learners and environments report, so that reports, charts and hosts read them by name. A test checks that every
/// metric a run writes is listed in <see cref="All"/> or starts with one of <see cref="Families"/>.
/// </summary>
public static class MetricNames
{
    /// <summary>The fraction of episodes won.</summary>
    public const string SuccessRate = "success_rate";

    /// <summary>The mean of the episodes' graded task scores (0 to 1, such as WebShop's), where the environment reports one.</summary>
    public const string TaskScoreMean = "task_score_mean";

    /// <summary>
    /// The fraction of a rollout's groups (of two or more episodes) whose returns are all equal: their episode-level advantage is zero,
    /// so GRPO learns nothing from them.
    /// </summary>
    public const string UniformGroupFraction = "uniform_group_fraction";

    /// <summary>Training environment steps so far.</summary>
    public const string EnvironmentSteps = "env_steps";

    /// <summary>1 when an iteration's update was skipped (a non-finite advantage, or no active row).</summary>
    public const string SkippedSteps = "skipped_steps";

    /// <summary>Seconds spent collecting rollouts.</summary>
    public const string RolloutSeconds = "time_rollout_s";

    /// <summary>Seconds spent recomputing old log-probabilities (and critic values).</summary>
    public const string OldLogProbSeconds = "time_old_log_prob_s";

    /// <summary>Seconds spent handing the learner's weights to a remote policy's server before the rollout.</summary>
    public const string WeightSyncSeconds = "time_weight_sync_s";

    /// <summary>Seconds spent in the advantage estimator.</summary>
    public const string AdvantageSeconds = "time_advantage_s";

    /// <summary>Seconds spent in the update.</summary>
    public const string UpdateSeconds = "time_update_s";

    /// <summary>The advantage estimator's share of an iteration's time.</summary>
    public const string AdvantageTimeShare = "advantage_time_share";

    /// <summary>The mean return of the episodes.</summary>
    public const string EpisodeRewardMean = "episode_reward_mean";

    /// <summary>The mean number of steps of the episodes.</summary>
    public const string EpisodeLengthMean = "episode_length_mean";

    /// <summary>The fraction of steps whose answer held no valid action.</summary>
    public const string InvalidActionRate = "invalid_action_rate";

    /// <summary>The fraction of episodes cut off at <c>Rollout:MaxSteps</c>.</summary>
    public const string TruncatedRate = "truncated_rate";

    /// <summary>Episodes ended by an environment that failed (a remote one that died, a retriever that timed out).</summary>
    public const string EnvironmentFailures = "env_failures";

    /// <summary>The iteration an event belongs to (0: the warm start).</summary>
    public const string Iteration = "iteration";

    /// <summary>Step groups (GiGPO's anchor-state groups) in the batch.</summary>
    public const string StepGroups = "step_groups";

    /// <summary>Rows per step group.</summary>
    public const string StepGroupSizeMean = "step_group_size_mean";

    /// <summary>The fraction of step groups of one row.</summary>
    public const string StepGroupSingletonFraction = "step_group_singleton_fraction";

    /// <summary>The batch's advantages: mean, standard deviation, least and greatest.</summary>
    public static readonly IReadOnlyList<string> Advantages = ["adv_mean", "adv_std", "adv_min", "adv_max"];

    /// <summary>
    /// GiGPO's two levels compared: mean |A| of each, the share of rows whose step advantage is not zero, their correlation, and the
    /// share of the step level's Σ A² that varies within a trajectory.
    /// </summary>
    public static readonly IReadOnlyList<string> Levels =
        ["episode_adv_abs_mean", "step_adv_abs_mean", "step_adv_nonzero_fraction", "episode_step_adv_corr", "step_adv_within_trajectory_share"];

    /// <summary>The policy update as metrics.csv has it: the losses, clipping, KL, entropy, gradient norm, learning rate, skipped steps, value loss.</summary>
    public static readonly IReadOnlyList<string> Update =
        ["pg_loss", "pg_clipfrac", "pg_clipfrac_lower", "ppo_kl", "entropy", "kl_loss", "grad_norm", "lr", SkippedSteps, "vf_loss"];

    /// <summary>The policy update's figures beside <see cref="Update"/> in metrics.jsonl only: the value clipping share and optimizer steps taken.</summary>
    public static readonly IReadOnlyList<string> UpdateDetails = ["vf_clipfrac", "optimizer_steps"];

    /// <summary>The warm start: expert steps, the first and last SFT loss, its seconds.</summary>
    public static readonly IReadOnlyList<string> WarmStart = ["demonstration_steps", "sft_loss_first", "sft_loss_last", "time_s"];

    /// <summary>Whether a checkpoint was saved (1) or failed (0).</summary>
    public const string Saved = "saved";

    /// <summary>The summary's seed and number of iterations run.</summary>
    public static readonly IReadOnlyList<string> Run = ["seed", "iterations"];

    /// <summary>The summary's validation success after the warm start.</summary>
    public const string WarmStartSuccess = "warm_start_success";

    /// <summary>The summary's validation success at the end.</summary>
    public const string FinalSuccess = "final_success";

    /// <summary>The summary's wall-clock seconds (a resumed run counts its earlier ones).</summary>
    public const string WallSeconds = "wall_seconds";

    /// <summary>The summary's peak working set of the process, in MiB.</summary>
    public const string PeakMemoryMegabytes = "peak_memory_mb";

    /// <summary>Names that a suffix completes: per task type (<c>success_rate/pick_and_place</c>) and per step-group size bucket.</summary>
    public static readonly IReadOnlyList<string> Families = ["success_rate/", "task_score/", "final_success_rate/", "final_task_score/", "step_group_size_share/"];

    /// <summary>
    /// GiGPO's diagnostic of what its step groups compare, when the rollouts record their actions: the share of step groups (and of
    /// active rows) whose group holds at least two distinct actions, the mean number of distinct actions per step group, the share of the
    /// step level's Σ A² in such groups, and the mean entropy (nats) of the actions taken in step groups of two or more rows. A step group
    /// of one action compares that action with different futures only: its step-level advantage repeats the episode outcome.
    /// </summary>
    public static readonly IReadOnlyList<string> StepGroupActions =
    [
        "step_group_multi_action_share", "step_row_multi_action_share", "step_group_distinct_actions_mean", "step_adv_sq_multi_action_share",
        "step_group_action_entropy_mean",
    ];

    /// <summary>Every name above.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        SuccessRate, TaskScoreMean, EpisodeRewardMean, EpisodeLengthMean, InvalidActionRate, TruncatedRate, EnvironmentFailures, Iteration,
        UniformGroupFraction, EnvironmentSteps, StepGroups, StepGroupSizeMean, StepGroupSingletonFraction, .. StepGroupActions, .. Advantages, .. Levels,
        .. Update, .. UpdateDetails, RolloutSeconds, OldLogProbSeconds, WeightSyncSeconds, AdvantageSeconds, UpdateSeconds, AdvantageTimeShare, .. WarmStart, Saved,
        .. Run, WarmStartSuccess, FinalSuccess, WallSeconds, PeakMemoryMegabytes,
    ];

    /// <summary>Whether <paramref name="name"/> is in the catalogue, or completes one of its <see cref="Families"/>.</summary>
    public static bool IsKnown(string name) =>
        All.Contains(name) || Families.Any(f => name.StartsWith(f, StringComparison.Ordinal) && name.Length > f.Length);
}
