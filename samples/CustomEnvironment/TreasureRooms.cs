namespace CustomEnvironment;

/// <summary>
/// A 3 × 3 house of rooms joined by doors, some of them shut; the layout, the start and the treasure's room follow from the task seed.
/// Pure logic, no text: <see cref="TreasureRoomsEnvironment"/> renders it.
/// </summary>
internal sealed class TreasureRooms
{
    public const int Side = 3;
    private static readonly (string Name, int Dx, int Dy)[] Directions = [("north", 0, -1), ("east", 1, 0), ("south", 0, 1), ("west", -1, 0)];
    private static readonly string[] Names = ["hall", "library", "kitchen", "study", "cellar", "attic", "gallery", "pantry", "chapel"];

    private readonly bool[,] _open = new bool[Side * Side, 4];

    public TreasureRooms(long seed)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        // A random spanning tree keeps every room reachable; a few extra doors make loops, so two paths can reach one room.
        var visited = new bool[Side * Side];
        var frontier = new List<(int From, int Direction)>();
        visited[0] = true;
        AddFrontier(0, frontier);
        while (frontier.Count > 0)
        {
            var pick = random.Next(frontier.Count);
            var (from, direction) = frontier[pick];
            frontier.RemoveAt(pick);
            var to = Neighbour(from, direction);
            if (to is not { } next || visited[next]) continue;
            Open(from, direction);
            visited[next] = true;
            AddFrontier(next, frontier);
        }
        for (var extra = 0; extra < 2; extra++)
        {
            var room = random.Next(Side * Side);
            var direction = random.Next(4);
            if (Neighbour(room, direction) is not null) Open(room, direction);
        }
        Start = random.Next(Side * Side);
        do Treasure = random.Next(Side * Side); while (Treasure == Start);
        Position = Start;
    }

    public int Start { get; }

    public int Treasure { get; }

    public int Position { get; private set; }

    public static string RoomName(int room) => Names[room];

    public IEnumerable<string> Exits(int room) => Enumerable.Range(0, 4).Where(d => _open[room, d]).Select(d => Directions[d].Name);

    /// <summary>Moves through the named exit; false when there is no open door that way.</summary>
    public bool TryMove(string direction)
    {
        var index = Array.FindIndex(Directions, d => d.Name == direction);
        if (index < 0 || !_open[Position, index]) return false;
        Position = Neighbour(Position, index)!.Value;
        return true;
    }

    /// <summary>The first exit of a shortest path from the current room to the treasure (breadth-first search).</summary>
    public string? ShortestPathExit()
    {
        if (Position == Treasure) return null;
        var firstExit = new int?[Side * Side];
        var queue = new Queue<int>();
        var seen = new bool[Side * Side];
        seen[Position] = true;
        queue.Enqueue(Position);
        while (queue.Count > 0)
        {
            var room = queue.Dequeue();
            for (var d = 0; d < 4; d++)
            {
                if (!_open[room, d] || Neighbour(room, d) is not { } next || seen[next]) continue;
                seen[next] = true;
                firstExit[next] = room == Position ? d : firstExit[room];
                if (next == Treasure) return Directions[firstExit[next]!.Value].Name;
                queue.Enqueue(next);
            }
        }
        return null;
    }

    /// <summary>Doors on a shortest path from the start to the treasure.</summary>
    public int Distance()
    {
        var distance = new int[Side * Side];
        Array.Fill(distance, -1);
        distance[Start] = 0;
        var queue = new Queue<int>([Start]);
        while (queue.Count > 0)
        {
            var room = queue.Dequeue();
            for (var d = 0; d < 4; d++)
                if (_open[room, d] && Neighbour(room, d) is { } next && distance[next] < 0)
                {
                    distance[next] = distance[room] + 1;
                    queue.Enqueue(next);
                }
        }
        return distance[Treasure];
    }

    private void AddFrontier(int room, List<(int, int)> frontier)
    {
        for (var d = 0; d < 4; d++) frontier.Add((room, d));
    }

    private void Open(int room, int direction)
    {
        _open[room, direction] = true;
        _open[Neighbour(room, direction)!.Value, (direction + 2) % 4] = true;
    }

    private static int? Neighbour(int room, int direction)
    {
        var (x, y) = (room % Side + Directions[direction].Dx, room / Side + Directions[direction].Dy);
        return x is >= 0 and < Side && y is >= 0 and < Side ? y * Side + x : null;
    }
}
