using GiGpoNet.Data;
using GiGpoNet.Environments;
using GiGpoNet.Policies;

namespace GiGpoNet.Rollouts;

/// <summary>
/// Produces rollout batches: G groups × N trajectories, the N members of a group starting from the same task and state.
/// </summary>
public interface IRolloutSource
{
    /// <summary>The optional columns every batch from this source has (anchors, tokens, ...).</summary>
    RolloutFields ProvidedFields { get; }

    /// <summary>Runs the policy in the environments until every trajectory is done or at its step limit.</summary>
    ValueTask<RolloutBatch> CollectAsync(IPolicy policy, RolloutRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to collect.</summary>
/// <param name="Groups">Number of groups (distinct tasks).</param>
/// <param name="GroupSize">Trajectories per group (N).</param>
/// <param name="Split">The split tasks are drawn from.</param>
/// <param name="Seed">Seed of this collection: task choice and sampling derive from it.</param>
public sealed record RolloutRequest(int Groups, int GroupSize, DatasetSplit Split, long Seed);
