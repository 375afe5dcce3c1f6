using System.Text;

namespace GiGpoNet.Environments.Sokoban;

/// <summary>A 6×6 Sokoban board with one box: walls, a target, the box and the player.</summary>
internal sealed class SokobanBoard
{
    public const int Size = 6;
    private static readonly (string Name, int Dr, int Dc)[] Moves = [("up", -1, 0), ("down", 1, 0), ("left", 0, -1), ("right", 0, 1)];

    public SokobanBoard(bool[,] walls, int target, int box, int player)
    {
        Walls = walls;
        Target = target;
        Box = box;
        Player = player;
    }

    public bool[,] Walls { get; }
    public int Target { get; }
    public int Box { get; private set; }
    public int Player { get; private set; }
    public bool Solved => Box == Target;

    public static IReadOnlyList<string> ActionNames { get; } = [.. Moves.Select(m => m.Name)];

    private bool Free(int cell) => !Walls[cell / Size, cell % Size];

    private static int? Neighbour(int cell, int dr, int dc)
    {
        int r = cell / Size + dr, c = cell % Size + dc;
        return r is < 0 or >= Size || c is < 0 or >= Size ? null : r * Size + c;
    }

    /// <summary>Applies a move by name; returns the gym-sokoban reward: −0.1 a step, +1 box onto target, −1 box off target, +10 solved.</summary>
    public double Apply(string action)
    {
        const double stepPenalty = -0.1;
        var move = Array.FindIndex(Moves, m => m.Name == action);
        if (move < 0) return stepPenalty;
        var (_, dr, dc) = Moves[move];
        var next = Neighbour(Player, dr, dc);
        if (next is not { } n || !Free(n)) return stepPenalty;
        if (n != Box)
        {
            Player = n;
            return stepPenalty;
        }
        var beyond = Neighbour(Box, dr, dc);
        if (beyond is not { } b || !Free(b)) return stepPenalty;
        var wasOnTarget = Box == Target;
        Box = b;
        Player = n;
        var reward = stepPenalty;
        if (Box == Target && !wasOnTarget) reward += 1 + 10;
        if (Box != Target && wasOnTarget) reward -= 1;
        return reward;
    }

    /// <summary>The shortest sequence of moves that solves the board, or <c>null</c> if none exists (BFS over player and box cells).</summary>
    public List<string>? Solve()
    {
        var start = (Player, Box);
        var previous = new Dictionary<(int, int), ((int, int) From, string Move)> { [start] = ((-1, -1), "") };
        var queue = new Queue<(int Player, int Box)>();
        queue.Enqueue(start);
        while (queue.Count > 0)
        {
            var state = queue.Dequeue();
            if (state.Box == Target)
            {
                var plan = new List<string>();
                for (var s = state; s != start; s = previous[s].From) plan.Add(previous[s].Move);
                plan.Reverse();
                return plan;
            }
            foreach (var (name, dr, dc) in Moves)
            {
                if (Neighbour(state.Player, dr, dc) is not { } n || !Free(n)) continue;
                var box = state.Box;
                if (n == box)
                {
                    if (Neighbour(box, dr, dc) is not { } b || !Free(b)) continue;
                    box = b;
                }
                var next = (n, box);
                if (previous.TryAdd(next, (state, name))) queue.Enqueue(next);
            }
        }
        return null;
    }

    /// <summary>The board as text: # wall, _ floor, O target, X box, √ box on target, P player, S player on target.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        for (var r = 0; r < Size; r++)
        {
            for (var c = 0; c < Size; c++)
            {
                var cell = r * Size + c;
                text.Append(Walls[r, c] ? '#'
                    : cell == Box ? (cell == Target ? '√' : 'X')
                    : cell == Player ? (cell == Target ? 'S' : 'P')
                    : cell == Target ? 'O' : '_');
            }
            if (r < Size - 1) text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>
    /// A solvable board from a seed: border walls, up to three inner walls, the box off the target, and a shortest solution of 3 to
    /// <paramref name="maxSolutionLength"/> moves (so an expert always finishes within the default 15-step limit).
    /// </summary>
    public static SokobanBoard Generate(int seed, int maxSolutionLength = 12)
    {
        var random = new Random(seed);
        while (true)
        {
            var walls = new bool[Size, Size];
            for (var i = 0; i < Size; i++) walls[0, i] = walls[Size - 1, i] = walls[i, 0] = walls[i, Size - 1] = true;
            var innerWalls = random.Next(0, 4);
            for (var i = 0; i < innerWalls; i++) walls[random.Next(1, Size - 1), random.Next(1, Size - 1)] = true;
            var floor = Enumerable.Range(0, Size * Size).Where(c => !walls[c / Size, c % Size]).ToList();
            if (floor.Count < 3) continue;
            var picks = floor.OrderBy(_ => random.Next()).Take(3).ToArray();
            var board = new SokobanBoard(walls, picks[0], picks[1], picks[2]);
            var plan = board.Solve();
            if (plan is { Count: >= 3 } && plan.Count <= maxSolutionLength) return board;
        }
    }
}
