using GiGpoNet.Data;

namespace GiGpoNet.Advantages;

/// <summary>
/// The outcome quantities every group-relative estimator starts from, computed as verl-agent computes them:
/// the episode return (sum of the active steps' rewards), each row's score (the episode return, minus the
/// invalid-action penalty when that row's action was invalid), and per-group statistics of those scores.
/// </summary>
public static class OutcomeScores
{
    /// <summary>Sum of the rewards of each trajectory's active steps, indexed by dense trajectory number.</summary>
    public static double[] EpisodeReturns(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var rewards = batch.Rewards;
        var returns = new double[batch.TrajectoryCount];
        for (var t = 0; t < returns.Length; t++)
        {
            var sum = 0.0;
            foreach (var row in batch.ActiveRowsOf(t)) sum += rewards[row];
            returns[t] = sum;
        }
        return returns;
    }

    /// <summary>
    /// Each active row's score: its trajectory's episode return, minus <paramref name="invalidActionPenalty"/> when the
    /// row's action was invalid. Inactive rows get 0.
    /// </summary>
    public static double[] RowScores(RolloutBatch batch, double invalidActionPenalty)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var episodeReturns = EpisodeReturns(batch);
        var valid = batch.ActionValid;
        var scores = new double[batch.RowCount];
        for (var t = 0; t < batch.TrajectoryCount; t++)
            foreach (var row in batch.ActiveRowsOf(t))
                scores[row] = valid[row] ? episodeReturns[t] : episodeReturns[t] - invalidActionPenalty;
        return scores;
    }

    /// <summary>
    /// Per-group moments of row scores, indexed by dense group number: over every active row of the group
    /// (<see cref="GroupStatisticsScope.StepRows"/>) or over the first active row of each trajectory
    /// (<see cref="GroupStatisticsScope.Trajectories"/>).
    /// </summary>
    public static Moments[] GroupMoments(RolloutBatch batch, ReadOnlySpan<double> rowScores, GroupStatisticsScope scope)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var moments = new Moments[batch.GroupCount];
        for (var g = 0; g < moments.Length; g++)
        {
            var accumulator = new Moments.Accumulator();
            foreach (var t in batch.TrajectoriesOf(g))
            {
                var rows = batch.ActiveRowsOf(t);
                if (scope == GroupStatisticsScope.Trajectories)
                {
                    if (rows.Length > 0) accumulator.Add(rowScores[rows[0]]);
                }
                else
                {
                    foreach (var row in rows) accumulator.Add(rowScores[row]);
                }
            }
            moments[g] = accumulator.Result;
        }
        return moments;
    }

    /// <summary>
    /// verl's group normalization of one score: for a group of one value, mean 0 and std 1 (so the score passes through,
    /// divided by 1 + ε when dividing by std); otherwise (x − mean), or (x − mean) / (std + ε).
    /// </summary>
    public static double Normalize(double score, in Moments group, AdvantageNormalization mode, double epsilon)
    {
        var (mean, std) = group.Count == 1 ? (0.0, 1.0) : (group.Mean, group.Std);
        return mode == AdvantageNormalization.MeanNorm ? score - mean : (score - mean) / (std + epsilon);
    }
}
