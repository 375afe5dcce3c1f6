namespace GiGpoNet.Environments.Sokoban;

/// <summary>
/// <c>sokoban</c>: a 6×6 board with one box, generated solvable from a seed, observed as a text grid; actions up, down, left, right;
/// gym-sokoban's shaped rewards (−0.1 a step, +1 box on target, −1 box off target, +10 solved). 15 steps by default.
/// </summary>
public sealed class SokobanEnvironment : IEnvironment, IExpertEnvironment
{
    private SokobanBoard? _board;

    /// <summary>The environment's description.</summary>
    public static EnvironmentDescription Description { get; } = new(
        "sokoban", 15, ["sokoban"],
        "You are a Sokoban puzzle solver. Symbols: # wall, _ floor, O target, X box, √ box on target, P player, S player on target. " +
        "Push the box onto the target; you can push but not pull, and not push into a wall.");

    /// <inheritdoc />
    public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        _board = SokobanBoard.Generate(TaskSeeds.For(reset.TaskSeed, reset.Split));
        return ValueTask.FromResult(Observe());
    }

    /// <inheritdoc />
    public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        var board = _board ?? throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        if (board.Solved) throw new InvalidOperationException("The episode is over; call ResetAsync to start another.");
        var reward = board.Apply((action ?? string.Empty).Trim().ToLowerInvariant());
        return ValueTask.FromResult(new EnvironmentStep(Observe(), reward, board.Solved, board.Solved));
    }

    /// <inheritdoc />
    public string? ExpertAction() => (_board ?? throw new InvalidOperationException("Call ResetAsync first.")).Solve() is { Count: > 0 } plan
        ? plan[0]
        : null; // the box is stuck: no plan reaches the target from here

    private EnvironmentObservation Observe() =>
        new(_board!.Render(), "push the box onto the target", "sokoban", SokobanBoard.ActionNames);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
