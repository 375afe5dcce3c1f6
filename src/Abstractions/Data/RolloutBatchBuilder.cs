namespace GiGpoNet.Data;

/// <summary>
/// Collects step rows in any order (trajectory-major, interleaved, shuffled) and builds a validated <see cref="RolloutBatch"/>.
/// </summary>
public sealed class RolloutBatchBuilder
{
    private readonly Dictionary<string, int> _groupNumbers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _trajectoryNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _groupIds = [];
    private readonly List<string> _trajectoryIds = [];
    private readonly List<int> _trajectoryGroup = [];
    private readonly List<int> _trajectoryFirstRow = [];
    private readonly List<int> _groupIndex;
    private readonly List<int> _trajectoryIndex;
    private readonly List<int> _stepIndex;
    private readonly List<string?> _anchors;
    private readonly List<string?> _actions = [];
    private readonly List<double> _rewards;
    private readonly List<bool> _active;
    private readonly List<bool> _actionValid;
    private readonly List<int[]?> _promptTokens = [];
    private readonly List<int[]?> _responseTokens = [];
    private readonly List<float[]?> _oldLogProbs = [];
    private readonly List<float[]?> _criticValues = [];
    private readonly List<float[]?> _rolloutLogProbs = [];

    /// <summary>Creates a builder, optionally with room for <paramref name="capacity"/> rows.</summary>
    public RolloutBatchBuilder(int capacity = 0)
    {
        _groupIndex = new(capacity);
        _trajectoryIndex = new(capacity);
        _stepIndex = new(capacity);
        _anchors = new(capacity);
        _rewards = new(capacity);
        _active = new(capacity);
        _actionValid = new(capacity);
    }

    /// <summary>
    /// How error messages name a row, given its 0-based index. The default is "row N" (1-based); a file reader
    /// can say "line N" instead.
    /// </summary>
    public Func<int, string> DescribeRow { get; init; } = row => $"row {row + 1}";

    /// <summary>Number of rows added so far.</summary>
    public int Count => _rewards.Count;

    /// <summary>Adds one step row.</summary>
    /// <exception cref="InvalidRolloutBatchException">The row itself is invalid (empty id, negative step, non-finite reward, trajectory in another group).</exception>
    public RolloutBatchBuilder Add(StepRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        Add(row.GroupId, row.TrajectoryId, row.StepIndex, row.Anchor, row.Reward, row.Active, row.ActionValid);
        _promptTokens[^1] = row.PromptTokenIds;
        _responseTokens[^1] = row.ResponseTokenIds;
        _oldLogProbs[^1] = row.OldLogProbs;
        _criticValues[^1] = row.CriticValues;
        _rolloutLogProbs[^1] = row.RolloutLogProbs;
        _actions[^1] = row.Action;
        return this;
    }

    /// <summary>Adds one step row without token data.</summary>
    /// <exception cref="InvalidRolloutBatchException">The row itself is invalid (empty id, negative step, non-finite reward, trajectory in another group).</exception>
    public RolloutBatchBuilder Add(string groupId, string trajectoryId, int stepIndex, string? anchor, double reward, bool active = true, bool actionValid = true)
    {
        var row = Count;
        if (string.IsNullOrEmpty(groupId)) throw new InvalidRolloutBatchException(row, "The group id is empty.");
        if (string.IsNullOrEmpty(trajectoryId)) throw new InvalidRolloutBatchException(row, "The trajectory id is empty.");
        if (stepIndex < 0) throw new InvalidRolloutBatchException(row, $"The step index is {stepIndex}; it must be 0 or more.");
        if (!double.IsFinite(reward)) throw new InvalidRolloutBatchException(row, $"The reward is {reward}; it must be a finite number.");

        if (!_groupNumbers.TryGetValue(groupId, out var group))
        {
            group = _groupIds.Count;
            _groupNumbers.Add(groupId, group);
            _groupIds.Add(groupId);
        }

        if (!_trajectoryNumbers.TryGetValue(trajectoryId, out var trajectory))
        {
            trajectory = _trajectoryIds.Count;
            _trajectoryNumbers.Add(trajectoryId, trajectory);
            _trajectoryIds.Add(trajectoryId);
            _trajectoryGroup.Add(group);
            _trajectoryFirstRow.Add(row);
        }
        else if (_trajectoryGroup[trajectory] != group)
        {
            throw new InvalidRolloutBatchException(row,
                $"Trajectory '{trajectoryId}' is in group '{groupId}' here but in group '{_groupIds[_trajectoryGroup[trajectory]]}' " +
                $"at {DescribeRow(_trajectoryFirstRow[trajectory])}; a trajectory belongs to one group.");
        }

        _groupIndex.Add(group);
        _trajectoryIndex.Add(trajectory);
        _stepIndex.Add(stepIndex);
        _anchors.Add(anchor);
        _rewards.Add(reward);
        _active.Add(active);
        _actionValid.Add(actionValid);
        _promptTokens.Add(null);
        _responseTokens.Add(null);
        _oldLogProbs.Add(null);
        _criticValues.Add(null);
        _rolloutLogProbs.Add(null);
        _actions.Add(null);
        return this;
    }

    /// <summary>
    /// Validates the rows and builds the batch.
    /// </summary>
    /// <exception cref="InvalidRolloutBatchException">
    /// A trajectory repeats a step index; an active step follows an inactive one; or an optional column
    /// (anchor, action, tokens, log-probs, critic values, rollout log-probs) is given for some rows but not all, or with a length that differs from the response.
    /// </exception>
    public RolloutBatch Build()
    {
        var rowCount = Count;
        var trajectoryCount = _trajectoryIds.Count;
        var groupCount = _groupIds.Count;
        var trajectoryIndex = _trajectoryIndex.ToArray();
        var stepIndex = _stepIndex.ToArray();
        var active = _active.ToArray();

        // Counting sort of rows by trajectory, then by step inside each trajectory.
        var rowStart = new int[trajectoryCount + 1];
        foreach (var t in trajectoryIndex) rowStart[t + 1]++;
        for (var t = 0; t < trajectoryCount; t++) rowStart[t + 1] += rowStart[t];
        var trajectoryRows = new int[rowCount];
        var sortKeys = new int[rowCount];
        var fill = rowStart.AsSpan(0, trajectoryCount).ToArray();
        for (var row = 0; row < rowCount; row++)
        {
            var slot = fill[trajectoryIndex[row]]++;
            trajectoryRows[slot] = row;
            sortKeys[slot] = stepIndex[row];
        }

        var activeCount = new int[trajectoryCount];
        for (var t = 0; t < trajectoryCount; t++)
        {
            var start = rowStart[t];
            var length = rowStart[t + 1] - start;
            if (!IsSorted(sortKeys.AsSpan(start, length)))
                Array.Sort(sortKeys, trajectoryRows, start, length);

            var seenInactive = -1;
            for (var k = start; k < start + length; k++)
            {
                var row = trajectoryRows[k];
                if (k > start && sortKeys[k] == sortKeys[k - 1])
                {
                    var other = trajectoryRows[k - 1];
                    var (first, second) = other < row ? (other, row) : (row, other);
                    throw new InvalidRolloutBatchException(second,
                        $"Trajectory '{_trajectoryIds[t]}' has step {sortKeys[k]} twice ({DescribeRow(first)} and {DescribeRow(second)}); each step of a trajectory must appear " +
                            $"once.");
                }

                if (active[row])
                {
                    if (seenInactive >= 0)
                        throw new InvalidRolloutBatchException(row,
                            $"Trajectory '{_trajectoryIds[t]}' has active step {sortKeys[k]} after inactive step {stepIndex[seenInactive]} ({DescribeRow(seenInactive)}); " +
                            "steps after 'done' must all be inactive.");
                    activeCount[t]++;
                }
                else if (seenInactive < 0)
                {
                    seenInactive = row;
                }
            }
        }

        // Trajectories by group, in order of first appearance.
        var groupStart = new int[groupCount + 1];
        foreach (var g in _trajectoryGroup) groupStart[g + 1]++;
        for (var g = 0; g < groupCount; g++) groupStart[g + 1] += groupStart[g];
        var groupTrajectories = new int[trajectoryCount];
        var groupFill = groupStart.AsSpan(0, groupCount).ToArray();
        for (var t = 0; t < trajectoryCount; t++)
            groupTrajectories[groupFill[_trajectoryGroup[t]]++] = t;

        var anchors = AllOrNone(_anchors, "anchor", a => a is not null) ? _anchors.ToArray() : null;
        var actions = AllOrNone(_actions, "action", a => a is not null) ? _actions.ToArray() : null;
        var responses = PackTokens(_responseTokens, "response token ids");
        var prompts = PackTokens(_promptTokens, "prompt token ids");
        var oldLogProbs = PackPerResponseToken(_oldLogProbs, "old log-probs", responses);
        var criticValues = PackPerResponseToken(_criticValues, "critic values", responses);
        var rolloutLogProbs = PackPerResponseToken(_rolloutLogProbs, "rollout log-probs", responses);

        return new RolloutBatch(
            _groupIndex.ToArray(), trajectoryIndex, stepIndex, anchors, actions, _rewards.ToArray(), active, _actionValid.ToArray(),
            _groupIds.ToArray(), _trajectoryIds.ToArray(), _trajectoryGroup.ToArray(), trajectoryRows, rowStart, activeCount,
            groupTrajectories, groupStart, prompts, responses, oldLogProbs, criticValues, rolloutLogProbs);
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    private static bool IsSorted(ReadOnlySpan<int> keys)
    {
        for (var i = 1; i < keys.Length; i++)
            if (keys[i] < keys[i - 1]) return false;
        return true;
    }

    private bool AllOrNone<T>(List<T> column, string name, Func<T, bool> present)
    {
        if (column.Count == 0) return false;
        var first = present(column[0]);
        for (var row = 1; row < column.Count; row++)
        {
            if (present(column[row]) != first)
            {
                var (withIt, without) = first ? (0, row) : (row, 0);
                throw new InvalidRolloutBatchException(without,
                    $"{Capitalized(DescribeRow(without))} has no {name} but {DescribeRow(withIt)} has one; give the {name} for every row or for none.");
            }
        }
        return first;
    }

    private RaggedArray<int>? PackTokens(List<int[]?> column, string name) =>
        AllOrNone(column, name, a => a is not null) ? RaggedArray<int>.FromRows(column) : null;

    private RaggedArray<float>? PackPerResponseToken(List<float[]?> column, string name, RaggedArray<int>? responses)
    {
        if (!AllOrNone(column, name, a => a is not null)) return null;
        if (responses is null)
            throw new InvalidRolloutBatchException(0, $"The rows carry {name} but no response token ids; {name} are given per response token.");
        for (var row = 0; row < column.Count; row++)
            if (column[row]!.Length != responses.LengthOf(row))
                throw new InvalidRolloutBatchException(row,
                    $"{Capitalized(DescribeRow(row))} has {column[row]!.Length} {name} for {responses.LengthOf(row)} response tokens; they must match.");
        return RaggedArray<float>.FromRows(column);
    }
}
