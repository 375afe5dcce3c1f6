namespace GiGpoNet.Hosting.Ablations;

/// <summary>
/// A process's claim on a cell's run folder while it trains the cell: <see cref="FileName"/> in the folder, held open for exclusive use
/// (an operating-system lock, so a crashed or killed process leaves no stale claim). Two <c>gigpo ablate</c> processes on the same
/// grid folder (a second one started to use more cores, or on another machine sharing the folder) therefore never train the same cell:
/// each skips the cells the other holds. The file itself is left in place; only the lock on it matters.
/// </summary>
public sealed class AblationCellClaim : IDisposable
{
    /// <summary>The claim's file in the cell's run folder.</summary>
    public const string FileName = "running.lock";

    private readonly FileStream stream;

    private AblationCellClaim(FileStream stream) => this.stream = stream;

    /// <summary>Claims the cell whose run folder is <paramref name="folder"/> (creating the folder), or returns null when another process (or another claim in this one) holds it.</summary>
    public static AblationCellClaim? TryTake(string folder)
    {
        Directory.CreateDirectory(folder);
        var stream = TryOpen(Path.Combine(folder, FileName), FileMode.OpenOrCreate);
        return stream is null ? null : new AblationCellClaim(stream);
    }

    /// <summary>Whether someone holds the claim on the cell whose run folder is <paramref name="folder"/> (it is being trained).</summary>
    public static bool IsHeld(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return false;
        using var stream = TryOpen(path, FileMode.Open);
        return stream is null && File.Exists(path);
    }

    /// <summary>Releases the claim.</summary>
    public void Dispose() => stream.Dispose();

    private static FileStream? TryOpen(string path, FileMode mode)
    {
        try
        {
            return new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            return null;
        }
    }

    /// <summary>
    /// The error .NET reports for a file that another handle holds: EWOULDBLOCK from <c>flock</c> on Linux (11) and macOS (35), a
    /// sharing or lock violation on Windows (32, 33). Any other I/O error (a full or failing disk) is not a claim and propagates.
    /// </summary>
    private static bool IsLockConflict(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult is 11 or 35;
}
