using GiGpoNet.Data;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// An ALFWorld-sized batch: G groups × N trajectories × T steps, anchors of about 30 characters drawn from S distinct states
/// per group, sparse success reward at the last step, 10% invalid actions. Deterministic for a seed.
/// </summary>
public static class SyntheticRollouts
{
    public static List<StepRow> Rows(int groups, int groupSize, int steps, int statesPerGroup, int seed = 1)
    {
        var random = new Random(seed);
        var rows = new List<StepRow>(groups * groupSize * steps);
        string[] nouns = ["cabinet", "drawer", "fridge", "shelf", "sinkbasin", "countertop"];
        for (var g = 0; g < groups; g++)
        {
            var states = Enumerable.Range(0, statesPerGroup)
                .Select(s => $"You arrive at {nouns[s % nouns.Length]} {s + 1} of room {g}.")
                .ToArray();
            for (var n = 0; n < groupSize; n++)
            {
                var won = random.Next(2) == 0;
                for (var t = 0; t < steps; t++)
                {
                    rows.Add(new StepRow
                    {
                        GroupId = $"group-{g}", TrajectoryId = $"group-{g}-traj-{n}", StepIndex = t,
                        Anchor = states[random.Next(statesPerGroup)],
                        Reward = won && t == steps - 1 ? 10 : 0,
                        ActionValid = random.Next(10) != 0,
                    });
                }
            }
        }
        return rows;
    }
}
