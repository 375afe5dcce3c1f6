using GiGpoNet.Environments;

namespace CustomEnvironment;

/// <summary>
/// A user's own text environment: find the treasure in a house of nine rooms. Every observation names the room and its exits, so the
/// same room reached by two trajectories of a group is the same anchor state. It has an expert (a shortest path), so runs warm-start.
/// </summary>
public sealed class TreasureRoomsEnvironment : IEnvironment, IExpertEnvironment
{
    /// <summary>Its name, step limit, task types and role line.</summary>
    public static readonly EnvironmentDescription Description = new("treasure_rooms", 12, ["near", "far"],
        "You are an explorer in a house of nine rooms. Find the room with the treasure by moving through open doors.");

    private TreasureRooms? _rooms;
    private int _steps;

    /// <inheritdoc />
    public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        // Each split draws its tasks from its own seed range, so validation tasks are not training tasks.
        _rooms = new TreasureRooms(unchecked(reset.TaskSeed * 3 + (int)reset.Split));
        _steps = 0;
        return ValueTask.FromResult(Observe("You enter the house."));
    }

    /// <inheritdoc />
    public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        var rooms = _rooms ?? throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        _steps++;
        var direction = action.Trim().ToLowerInvariant().Replace("go ", "", StringComparison.Ordinal);
        var moved = rooms.TryMove(direction);
        var won = rooms.Position == rooms.Treasure;
        var text = won ? "You found the treasure!" : moved ? $"You go {direction}." : "There is no open door that way.";
        return ValueTask.FromResult(new EnvironmentStep(Observe(text), won ? 10 : 0, won, won));
    }

    /// <inheritdoc />
    public string? ExpertAction() => _rooms?.ShortestPathExit() is { } exit ? "go " + exit : null;

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private EnvironmentObservation Observe(string happened)
    {
        var rooms = _rooms!;
        var exits = rooms.Exits(rooms.Position).ToList();
        var text = $"{happened} You are in the {TreasureRooms.RoomName(rooms.Position)}. Open doors: {string.Join(", ", exits)}.";
        return new EnvironmentObservation(text, $"find the treasure in the {TreasureRooms.RoomName(rooms.Treasure)}",
            rooms.Distance() <= 2 ? "near" : "far", [.. exits.Select(e => "go " + e)]);
    }
}
