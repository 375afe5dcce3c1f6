using GiGpoNet.Learning;

namespace GiGpoNet.Policies;

/// <summary>
/// A policy that samples with its own copy of the weights (an inference server): before each rollout the trainer hands it the learner,
/// and the rollout starts only once the policy has taken the learner's current weights.
/// </summary>
public interface IWeightSyncedPolicy : IPolicy
{
    /// <summary>Makes the policy's weights the learner's; returns once they are in use.</summary>
    ValueTask SyncWeightsAsync(ILearner learner, CancellationToken cancellationToken = default);
}
