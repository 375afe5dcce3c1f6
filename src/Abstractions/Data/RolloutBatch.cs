namespace GiGpoNet.Data;

/// <summary>
/// A batch of step rows in columnar form, with the groupings that estimators need precomputed:
/// rows by trajectory (in step order) and trajectories by episode group.
/// Build one with <see cref="RolloutBatchBuilder"/> or <see cref="Create"/>.
/// </summary>
/// <remarks>
/// Row <c>i</c> is the i-th row added to the builder; every per-row column is indexed that way, and estimator results
/// come back in the same order. Groups and trajectories are numbered densely in order of first appearance.
/// </remarks>
public sealed class RolloutBatch
{
    private readonly int[] _groupIndex;
    private readonly int[] _trajectoryIndex;
    private readonly int[] _stepIndex;
    private readonly string?[]? _anchors;
    private readonly string?[]? _actions;
    private readonly double[] _rewards;
    private readonly bool[] _active;
    private readonly bool[] _actionValid;
    private readonly string[] _groupIds;
    private readonly string[] _trajectoryIds;
    private readonly int[] _trajectoryGroup;
    private readonly int[] _trajectoryRows;
    private readonly int[] _trajectoryRowStart;
    private readonly int[] _trajectoryActiveCount;
    private readonly int[] _groupTrajectories;
    private readonly int[] _groupTrajectoryStart;

    internal RolloutBatch(
        int[] groupIndex, int[] trajectoryIndex, int[] stepIndex, string?[]? anchors, string?[]? actions, double[] rewards, bool[] active,
        bool[] actionValid, string[] groupIds, string[] trajectoryIds, int[] trajectoryGroup, int[] trajectoryRows,
        int[] trajectoryRowStart, int[] trajectoryActiveCount, int[] groupTrajectories, int[] groupTrajectoryStart,
        RaggedArray<int>? promptTokenIds, RaggedArray<int>? responseTokenIds, RaggedArray<float>? oldLogProbs,
        RaggedArray<float>? criticValues, RaggedArray<float>? rolloutLogProbs)
    {
        _groupIndex = groupIndex;
        _trajectoryIndex = trajectoryIndex;
        _stepIndex = stepIndex;
        _anchors = anchors;
        _actions = actions;
        _rewards = rewards;
        _active = active;
        _actionValid = actionValid;
        _groupIds = groupIds;
        _trajectoryIds = trajectoryIds;
        _trajectoryGroup = trajectoryGroup;
        _trajectoryRows = trajectoryRows;
        _trajectoryRowStart = trajectoryRowStart;
        _trajectoryActiveCount = trajectoryActiveCount;
        _groupTrajectories = groupTrajectories;
        _groupTrajectoryStart = groupTrajectoryStart;
        PromptTokenIds = promptTokenIds;
        ResponseTokenIds = responseTokenIds;
        OldLogProbs = oldLogProbs;
        CriticValues = criticValues;
        RolloutLogProbs = rolloutLogProbs;
        var active0 = 0;
        foreach (var count in trajectoryActiveCount) active0 += count;
        ActiveRowCount = active0;
    }

    /// <summary>Builds a batch from step rows in any order.</summary>
    /// <exception cref="InvalidRolloutBatchException">The rows are inconsistent (see <see cref="RolloutBatchBuilder.Build"/>).</exception>
    public static RolloutBatch Create(IEnumerable<StepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var builder = new RolloutBatchBuilder();
        foreach (var row in rows) builder.Add(row);
        return builder.Build();
    }

    /// <summary>Number of rows, active or not.</summary>
    public int RowCount => _rewards.Length;

    /// <summary>Number of active rows (the rows that are trained on).</summary>
    public int ActiveRowCount { get; }

    /// <summary>Number of episode groups.</summary>
    public int GroupCount => _groupIds.Length;

    /// <summary>Number of trajectories.</summary>
    public int TrajectoryCount => _trajectoryIds.Length;

    /// <summary>Which optional columns this batch has.</summary>
    public RolloutFields Fields =>
        (_anchors is null ? RolloutFields.None : RolloutFields.Anchors)
        | (ResponseTokenIds is null ? RolloutFields.None : RolloutFields.Tokens)
        | (OldLogProbs is null ? RolloutFields.None : RolloutFields.OldLogProbs)
        | (CriticValues is null ? RolloutFields.None : RolloutFields.CriticValues)
        | (RolloutLogProbs is null ? RolloutFields.None : RolloutFields.RolloutLogProbs)
        | (_actions is null ? RolloutFields.None : RolloutFields.Actions);

    /// <summary>The action each row carried out (empty when the batch has no <see cref="RolloutFields.Actions"/>).</summary>
    public ReadOnlySpan<string?> Actions => _actions;

    /// <summary>Dense group number of each row.</summary>
    public ReadOnlySpan<int> GroupIndex => _groupIndex;

    /// <summary>Dense trajectory number of each row.</summary>
    public ReadOnlySpan<int> TrajectoryIndex => _trajectoryIndex;

    /// <summary>Step index of each row, as given.</summary>
    public ReadOnlySpan<int> StepIndex => _stepIndex;

    /// <summary>Anchor observation of each row, or an empty span when the batch has no anchors.</summary>
    public ReadOnlySpan<string?> Anchors => _anchors;

    /// <summary>Environment reward of each row.</summary>
    public ReadOnlySpan<double> Rewards => _rewards;

    /// <summary>Whether each row is active (taken before the environment reported done).</summary>
    public ReadOnlySpan<bool> Active => _active;

    /// <summary>Whether each row's action parsed as valid.</summary>
    public ReadOnlySpan<bool> ActionValid => _actionValid;

    /// <summary>The group ids, indexed by dense group number.</summary>
    public IReadOnlyList<string> GroupIds => _groupIds;

    /// <summary>The trajectory ids, indexed by dense trajectory number.</summary>
    public IReadOnlyList<string> TrajectoryIds => _trajectoryIds;

    /// <summary>The dense group number of each trajectory.</summary>
    public ReadOnlySpan<int> TrajectoryGroup => _trajectoryGroup;

    /// <summary>Prompt token ids per row, or <c>null</c>.</summary>
    public RaggedArray<int>? PromptTokenIds { get; }

    /// <summary>Response token ids per row, or <c>null</c>.</summary>
    public RaggedArray<int>? ResponseTokenIds { get; }

    /// <summary>Sampling log-probabilities per response token, or <c>null</c>.</summary>
    public RaggedArray<float>? OldLogProbs { get; }

    /// <summary>Critic values per response token, or <c>null</c>.</summary>
    public RaggedArray<float>? CriticValues { get; }

    /// <summary>
    /// The rollout engine's log-probabilities per response token under the model's own distribution (see
    /// <see cref="RolloutFields.RolloutLogProbs"/>), or <c>null</c>.
    /// </summary>
    public RaggedArray<float>? RolloutLogProbs { get; }

    /// <summary>
    /// The rows of trajectory <paramref name="trajectory"/> in step order; the first
    /// <see cref="ActiveStepCount"/> of them are the active ones.
    /// </summary>
    public ReadOnlySpan<int> RowsOf(int trajectory) =>
        _trajectoryRows.AsSpan(_trajectoryRowStart[trajectory], _trajectoryRowStart[trajectory + 1] - _trajectoryRowStart[trajectory]);

    /// <summary>The active rows of trajectory <paramref name="trajectory"/>, in step order.</summary>
    public ReadOnlySpan<int> ActiveRowsOf(int trajectory) =>
        _trajectoryRows.AsSpan(_trajectoryRowStart[trajectory], _trajectoryActiveCount[trajectory]);

    /// <summary>Number of active steps of a trajectory (its episode length).</summary>
    public int ActiveStepCount(int trajectory) => _trajectoryActiveCount[trajectory];

    /// <summary>The trajectories of group <paramref name="group"/>, in order of first appearance.</summary>
    public ReadOnlySpan<int> TrajectoriesOf(int group) =>
        _groupTrajectories.AsSpan(_groupTrajectoryStart[group], _groupTrajectoryStart[group + 1] - _groupTrajectoryStart[group]);

    /// <summary>
    /// The same batch with critic values attached (PPO computes them after the rollout): one value per response token of every row.
    /// </summary>
    /// <exception cref="ArgumentException">The batch has no response tokens, or a row's values do not match its response length.</exception>
    public RolloutBatch WithCriticValues(IReadOnlyList<float[]> values) =>
        new(_groupIndex, _trajectoryIndex, _stepIndex, _anchors, _actions, _rewards, _active, _actionValid, _groupIds, _trajectoryIds,
            _trajectoryGroup, _trajectoryRows, _trajectoryRowStart, _trajectoryActiveCount, _groupTrajectories, _groupTrajectoryStart,
            PromptTokenIds, ResponseTokenIds, OldLogProbs, PerResponseToken(values, "Critic values"), RolloutLogProbs);

    /// <summary>
    /// The same batch with the learner's old log-probabilities in place of the sampler's: one per response token of every row
    /// (inactive rows are never trained on; their values are not read).
    /// </summary>
    /// <exception cref="ArgumentException">The batch has no response tokens, or a row's values do not match its response length.</exception>
    public RolloutBatch WithOldLogProbs(IReadOnlyList<float[]> logProbs) =>
        new(_groupIndex, _trajectoryIndex, _stepIndex, _anchors, _actions, _rewards, _active, _actionValid, _groupIds, _trajectoryIds,
            _trajectoryGroup, _trajectoryRows, _trajectoryRowStart, _trajectoryActiveCount, _groupTrajectories, _groupTrajectoryStart,
            PromptTokenIds, ResponseTokenIds, PerResponseToken(logProbs, "Old log-probabilities"), CriticValues, RolloutLogProbs);

    private RaggedArray<float> PerResponseToken(IReadOnlyList<float[]> values, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        var responses = ResponseTokenIds ?? throw new ArgumentException($"{what} are per response token; this batch has no response tokens.", nameof(values));
        if (values.Count != RowCount) throw new ArgumentException($"Expected {what.ToLowerInvariant()} for {RowCount} rows, got {values.Count}.", nameof(values));
        for (var row = 0; row < RowCount; row++)
            if (values[row].Length != responses.LengthOf(row))
                throw new ArgumentException($"Row {row + 1} has {values[row].Length} {what.ToLowerInvariant()} for {responses.LengthOf(row)} response tokens.", nameof(values));
        return RaggedArray<float>.FromRows(values);
    }

    /// <summary>Number of response tokens of a row: its response length, or 1 when the batch carries no tokens.</summary>
    public int ResponseLength(int row) => ResponseTokenIds?.LengthOf(row) ?? 1;

    /// <summary>
    /// A zero-filled per-token array shaped like the responses (one element per row when the batch carries no tokens),
    /// for estimators that produce token-level advantages.
    /// </summary>
    public RaggedArray<T> NewPerTokenArray<T>()
    {
        if (ResponseTokenIds is { } responses) return responses.WithValues(new T[responses.TotalLength]);
        var offsets = new int[RowCount + 1];
        for (var i = 0; i <= RowCount; i++) offsets[i] = i;
        return new RaggedArray<T>(new T[RowCount], offsets);
    }
}
