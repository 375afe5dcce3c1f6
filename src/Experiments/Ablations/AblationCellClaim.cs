using GiGpoNet.Hosting.Storage;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>
/// A process's claim on a cell's run folder while it trains the cell: <see cref="FileName"/> in the folder, held open for exclusive use
/// (an operating-system lock, so a crashed or killed process leaves no stale claim). Two <c>gigpo ablate</c> processes on the same
/// grid folder (a second one started to use more cores, or on another machine sharing the folder) therefore never train the same cell:
/// each skips the cells the other holds. The file itself is left in place; only the lock on it matters.
/// </summary>
internal sealed class AblationCellClaim : IDisposable
{
    /// <summary>The claim's file in the cell's run folder.</summary>
    public const string FileName = "running.lock";

    private readonly ExclusiveFileLock _held;

    private AblationCellClaim(ExclusiveFileLock held) => _held = held;

    /// <summary>Claims the cell whose run folder is <paramref name="folder"/> (creating the folder), or returns null when another process (or another claim in this one) holds
    /// it.</summary>
    public static AblationCellClaim? TryTake(string folder) =>
        ExclusiveFileLock.TryTake(Path.Combine(folder, FileName)) is { } taken ? new AblationCellClaim(taken) : null;

    /// <summary>Whether someone holds the claim on the cell whose run folder is <paramref name="folder"/> (it is being trained).</summary>
    public static bool IsHeld(string folder) => ExclusiveFileLock.IsHeld(Path.Combine(folder, FileName));

    /// <summary>Releases the claim.</summary>
    public void Dispose() => _held.Dispose();
}
