namespace GiGpoNet.Data;

/// <summary>
/// One environment turn of one trajectory: the unit of training in multi-turn agent RL.
/// A trajectory of T turns gives T step rows; each row is one (prompt, response) pair for the policy update.
/// </summary>
/// <remarks>
/// The token-level fields are optional: advantage estimators that work on outcomes (GiGPO, GRPO, RLOO) need none
/// of them; GAE needs <see cref="CriticValues"/>; the policy update needs the token ids and <see cref="OldLogProbs"/>.
/// </remarks>
public sealed record StepRow
{
    /// <summary>Episode-group id (verl-agent's <c>uid</c>): the N trajectories that started from the same task and initial state.</summary>
    public required string GroupId { get; init; }

    /// <summary>Trajectory id (verl-agent's <c>traj_uid</c>), unique across the batch.</summary>
    public required string TrajectoryId { get; init; }

    /// <summary>Position of the turn in its trajectory; orders the steps (gaps are allowed, repeats are not).</summary>
    public required int StepIndex { get; init; }

    /// <summary>
    /// The anchor state: the raw observation the action was taken in, without history or prompt template.
    /// GiGPO groups steps with identical anchors (exact, ordinal string comparison). <c>null</c> when the source has none.
    /// </summary>
    public string? Anchor { get; init; }

    /// <summary>
    /// The action the step carried out, as the environment received it (parsed from the response); <c>null</c> when the source does
    /// not record it. Two rows of a step group with different actions are what its step-level advantage compares.
    /// </summary>
    public string? Action { get; init; }

    /// <summary>The environment's reward for this step (before any invalid-action penalty).</summary>
    public double Reward { get; init; }

    /// <summary>False for turns after the environment reported <c>done</c>; such rows are dropped and count nowhere.</summary>
    public bool Active { get; init; } = true;

    /// <summary>Whether the policy's output parsed into a valid action (e.g. had <c>&lt;action&gt;...&lt;/action&gt;</c>).</summary>
    public bool ActionValid { get; init; } = true;

    /// <summary>Token ids of the prompt, as fed to the policy (never re-tokenized).</summary>
    public int[]? PromptTokenIds { get; init; }

    /// <summary>Token ids the policy generated.</summary>
    public int[]? ResponseTokenIds { get; init; }

    /// <summary>Log-probability of each response token under the policy that sampled it.</summary>
    public float[]? OldLogProbs { get; init; }

    /// <summary>
    /// Log-probability of each response token under the rollout model's own distribution (temperature 1, before top-k, top-p or a
    /// constraint), as the rollout engine computed it; <c>null</c> when the policy does not report it.
    /// </summary>
    public float[]? RolloutLogProbs { get; init; }

    /// <summary>Critic value at each response token (PPO), in the same positions as <see cref="ResponseTokenIds"/>.</summary>
    public float[]? CriticValues { get; init; }
}
