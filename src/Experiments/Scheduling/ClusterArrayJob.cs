namespace GiGpoNet.Experiments.Scheduling;

/// <summary>
/// A grid as one array job of a cluster scheduler: task <c>i</c> of <see cref="Cells"/> trains the grid's cell <c>i</c> by running
/// <see cref="Command"/> (<c>gigpo ablate --grid G --output O --cell</c>, which reads the task's index from the scheduler's environment).
/// </summary>
public sealed record ClusterArrayJob
{
    /// <summary>The job's name (a Slurm job name, a Kubernetes object name).</summary>
    public required string Name { get; init; }

    /// <summary>The grid's cell count: the tasks are indexed 0 to <c>Cells - 1</c>.</summary>
    public required int Cells { get; init; }

    /// <summary>What each task runs, as an argument list (the program first).</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>How many tasks run at once, or null for the scheduler's own limit.</summary>
    public int? MaxRunning { get; init; }

    /// <summary>CPU cores per task. Default 2.</summary>
    public int CpusPerCell { get; init; } = 2;

    /// <summary>Memory per task in GiB. Default 8.</summary>
    public int MemoryGiBPerCell { get; init; } = 8;

    /// <summary>GPUs per task. Default 0.</summary>
    public int GpusPerCell { get; init; }

    /// <summary>Wall-clock limit per task in minutes, or null for none.</summary>
    public int? TimeLimitMinutes { get; init; }

    /// <summary>Environment variables every task sets.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}
