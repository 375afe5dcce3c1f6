namespace GiGpoNet.Hosting.Training;

/// <summary>The names of the metrics the trainer itself writes (estimators and learners add their own).</summary>
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
}
