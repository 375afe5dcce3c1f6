using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests;

/// <summary>Compact construction of test batches: one call per trajectory.</summary>
internal sealed class Batches
{
    private readonly List<StepRow> _rows = [];

    public static Batches New() => new();

    /// <summary>Adds a trajectory whose steps are (anchor, reward) pairs, numbered from 0.</summary>
    public Batches Trajectory(string group, string trajectory, params (string Anchor, double Reward)[] steps) =>
        Trajectory(group, trajectory, invalidSteps: [], steps);

    public Batches Trajectory(string group, string trajectory, int[] invalidSteps, params (string Anchor, double Reward)[] steps)
    {
        for (var k = 0; k < steps.Length; k++)
            _rows.Add(new StepRow
            {
                GroupId = group, TrajectoryId = trajectory, StepIndex = k, Anchor = steps[k].Anchor, Reward = steps[k].Reward,
                ActionValid = !invalidSteps.Contains(k),
            });
        return this;
    }

    /// <summary>Adds inactive rows after a trajectory's last active step.</summary>
    public Batches InactiveTail(string group, string trajectory, int firstStep, params (string Anchor, double Reward)[] steps)
    {
        for (var k = 0; k < steps.Length; k++)
            _rows.Add(new StepRow
            {
                GroupId = group, TrajectoryId = trajectory, StepIndex = firstStep + k, Anchor = steps[k].Anchor, Reward = steps[k].Reward,
                Active = false, ActionValid = false,
            });
        return this;
    }

    public Batches Add(StepRow row)
    {
        _rows.Add(row);
        return this;
    }

    public IReadOnlyList<StepRow> Rows => _rows;

    public RolloutBatch Build() => RolloutBatch.Create(_rows);

    /// <summary>Index of the row of (trajectory, step) in the built batch.</summary>
    public int RowOf(string trajectory, int step) => _rows.FindIndex(r => r.TrajectoryId == trajectory && r.StepIndex == step);
}
