using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.GiGpo.Diagnostics;

/// <summary>
/// What GiGPO's step groups compare: a step group assigns credit between actions only when it holds different ones. When the
/// trajectories of a group repeat the same action at a recurring state, its step-level advantage compares one action with different
/// futures, noise that follows the episode outcome. These figures say how often that is so.
/// </summary>
internal static class StepGroupActions
{
    /// <summary>
    /// <c>step_group_multi_action_share</c> (step groups holding at least two distinct actions), <c>step_row_multi_action_share</c> (the
    /// active rows in such groups), <c>step_group_distinct_actions_mean</c>, <c>step_adv_sq_multi_action_share</c> (the share of the step
    /// level's Σ A² that lies in such groups; 0 when the step level is 0 everywhere) and <c>step_group_action_entropy_mean</c> (the
    /// entropy, in nats, of the actions taken in each step group of two or more rows, averaged over those groups).
    /// </summary>
    /// <param name="batch">The batch; it must carry <see cref="RolloutFields.Actions"/>.</param>
    /// <param name="stepGroupOf">Each active row's step group.</param>
    /// <param name="stepGroupCount">The number of step groups.</param>
    /// <param name="stepAdvantages">Each row's step-level advantage.</param>
    public static Dictionary<string, double> Measure(RolloutBatch batch, ReadOnlySpan<int> stepGroupOf, int stepGroupCount, ReadOnlySpan<double> stepAdvantages)
    {
        var actions = batch.Actions;
        var active = batch.Active;
        var counts = new Dictionary<string, int>?[stepGroupCount];
        var rowsIn = new int[stepGroupCount];
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            var group = stepGroupOf[row];
            var taken = counts[group] ??= new Dictionary<string, int>(StringComparer.Ordinal);
            var action = actions[row] ?? "";
            taken[action] = taken.GetValueOrDefault(action) + 1;
            rowsIn[group]++;
        }

        int multiGroups = 0, multiRows = 0, distinct = 0, groupsOfTwoOrMore = 0;
        double entropy = 0;
        var multi = new bool[stepGroupCount];
        for (var g = 0; g < stepGroupCount; g++)
        {
            if (counts[g] is not { } taken) continue;
            distinct += taken.Count;
            if (taken.Count >= 2)
            {
                multi[g] = true;
                multiGroups++;
                multiRows += rowsIn[g];
            }
            if (rowsIn[g] < 2) continue;
            groupsOfTwoOrMore++;
            foreach (var count in taken.Values)
            {
                var p = (double)count / rowsIn[g];
                entropy -= p * Math.Log(p);
            }
        }

        double squares = 0, multiSquares = 0;
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!active[row]) continue;
            var square = stepAdvantages[row] * stepAdvantages[row];
            squares += square;
            if (multi[stepGroupOf[row]]) multiSquares += square;
        }

        return new Dictionary<string, double>
        {
            ["step_group_multi_action_share"] = stepGroupCount == 0 ? 0 : (double)multiGroups / stepGroupCount,
            ["step_row_multi_action_share"] = batch.ActiveRowCount == 0 ? 0 : (double)multiRows / batch.ActiveRowCount,
            ["step_group_distinct_actions_mean"] = stepGroupCount == 0 ? 0 : (double)distinct / stepGroupCount,
            ["step_adv_sq_multi_action_share"] = squares == 0 ? 0 : multiSquares / squares,
            ["step_group_action_entropy_mean"] = groupsOfTwoOrMore == 0 ? 0 : entropy / groupsOfTwoOrMore,
        };
    }
}
