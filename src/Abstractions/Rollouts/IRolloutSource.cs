using GiGpoNet.Data;
using GiGpoNet.Environments;
using GiGpoNet.Policies;

namespace GiGpoNet.Rollouts;

/// <summary>
/// Produces rollouts: G groups × N trajectories, the N members of a group starting from the same task and state.
/// </summary>
public interface IRolloutSource
{
    /// <summary>The optional columns every batch from this source has (anchors, tokens, ...).</summary>
    RolloutFields ProvidedFields { get; }

    /// <summary>Runs the policy in the environments until every trajectory is done or at its step limit.</summary>
    ValueTask<RolloutResult> CollectAsync(IPolicy policy, RolloutRequest request, CancellationToken cancellationToken = default);
}

/// <summary>What to collect.</summary>
/// <param name="Groups">Number of groups (distinct tasks).</param>
/// <param name="GroupSize">Trajectories per group (N).</param>
/// <param name="Split">The split tasks are drawn from.</param>
/// <param name="Seed">Seed of this collection: task choice and sampling derive from it.</param>
/// <param name="Temperature">Sampling temperature for this collection (evaluation uses a lower one than training).</param>
public sealed record RolloutRequest(int Groups, int GroupSize, DatasetSplit Split, long Seed, double Temperature = 1.0);

/// <summary>The step rows of a collection and how each episode ended.</summary>
/// <param name="Batch">One row per environment step.</param>
/// <param name="Episodes">
/// One outcome per trajectory: first those with rows, in the batch's trajectory order, then any that produced no row (an environment
/// that failed at reset or at its first step).
/// </param>
public sealed record RolloutResult(RolloutBatch Batch, IReadOnlyList<EpisodeOutcome> Episodes);

/// <summary>How one trajectory ended.</summary>
/// <param name="GroupId">Its episode group.</param>
/// <param name="TrajectoryId">Its id.</param>
/// <param name="TaskType">The task's type (for per-type success rates).</param>
/// <param name="Won">Whether the task was accomplished.</param>
/// <param name="Score">The environment's graded score at the last step, where it has one.</param>
/// <param name="Length">Number of steps taken.</param>
/// <param name="Return">Sum of the environment's rewards.</param>
/// <param name="InvalidActions">Steps whose action did not parse.</param>
/// <param name="Truncated">True when it ended at the step limit or through an environment failure rather than by <c>done</c>.</param>
/// <param name="Failure">The environment's error when it failed mid-episode, else <c>null</c>.</param>
public sealed record EpisodeOutcome(string GroupId, string TrajectoryId, string TaskType, bool Won, double? Score, int Length,
    double Return, int InvalidActions, bool Truncated, string? Failure);
