using GiGpoNet.Data;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Hosting.Rollouts;

/// <summary>
/// A rollout source that replays logged step rows (the JSON Lines format of <c>gigpo advantages</c>) instead of running a policy: every
/// collection returns the file's batch, so that an estimator or a learner can be trained and compared on fixed, recorded data.
/// It provides the columns the file has (anchors; token ids and log-probabilities where the rows carry them). Register it with
/// <c>builder.AddRolloutSource("replay", typeof(StepRowReplaySource), _ =&gt; new StepRowReplaySource(path))</c> and select it with
/// <c>Training:RolloutSource=replay</c>.
/// </summary>
public sealed class StepRowReplaySource : IRolloutSource
{
    private readonly RolloutResult _result;

    /// <summary>Reads <paramref name="path"/> now, so that a bad file fails at start-up, with its line.</summary>
    /// <exception cref="StepRowFileException">A line is not a valid step row.</exception>
    public StepRowReplaySource(string path)
    {
        var batch = StepRowFile.Read(path, requireAnchors: false).Batch;
        _result = new RolloutResult(batch, [.. Enumerable.Range(0, batch.TrajectoryCount).Select(t => Outcome(batch, t))]);
    }

    /// <inheritdoc />
    public RolloutFields ProvidedFields => _result.Batch.Fields;

    /// <inheritdoc />
    public ValueTask<RolloutResult> CollectAsync(IPolicy policy, RolloutRequest request, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_result);
    }

    /// <summary>A logged trajectory's outcome: won when its last active step has a positive reward (the logs carry no win flag).</summary>
    private static EpisodeOutcome Outcome(RolloutBatch batch, int trajectory)
    {
        var rows = batch.ActiveRowsOf(trajectory);
        var rewards = batch.Rewards;
        var valid = batch.ActionValid;
        var total = 0.0;
        var invalid = 0;
        foreach (var row in rows)
        {
            total += rewards[row];
            if (!valid[row]) invalid++;
        }
        var won = rows.Length > 0 && rewards[rows[^1]] > 0;
        return new EpisodeOutcome(batch.GroupIds[batch.TrajectoryGroup[trajectory]], batch.TrajectoryIds[trajectory], "replay", won, null, rows.Length,
            total, invalid, Truncated: !won, Failure: null);
    }
}
