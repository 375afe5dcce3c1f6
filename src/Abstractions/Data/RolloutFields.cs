namespace GiGpoNet.Data;

/// <summary>
/// The optional columns of a <see cref="RolloutBatch"/>. Estimators declare the ones they need
/// (<see cref="Advantages.IAdvantageEstimator.RequiredFields"/>); rollout sources declare the ones they fill, and the host
/// refuses at start-up a combination that cannot work.
/// </summary>
[Flags]
public enum RolloutFields
{
    /// <summary>Nothing beyond group, trajectory, step, reward, active and validity flags.</summary>
    None = 0,

    /// <summary>The anchor observation of each step (GiGPO's step-level grouping).</summary>
    Anchors = 1,

    /// <summary>Prompt and response token ids.</summary>
    Tokens = 2,

    /// <summary>Log-probabilities of the response tokens under the sampling policy.</summary>
    OldLogProbs = 4,

    /// <summary>Critic values at each response token (PPO's GAE).</summary>
    CriticValues = 8,

    /// <summary>
    /// The rollout engine's log-probabilities of the response tokens under the model's own distribution (temperature 1, before top-k,
    /// top-p or a constraint): what a learner with the same weights would compute.
    /// </summary>
    RolloutLogProbs = 16,

    /// <summary>The action each step carried out, as the environment received it (GiGPO's diagnostic of what a step group compares).</summary>
    Actions = 32,
}
