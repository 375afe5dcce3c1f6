namespace GiGpoNet.Hosting.Storage;

/// <summary>
/// A file held open for exclusive use: an operating-system lock (<c>flock</c> on Linux and macOS, a sharing lock on Windows) that
/// processes use to take turns, and that a crashed or killed process does not leave behind. The file itself stays; only the lock
/// on it matters.
/// </summary>
internal sealed class ExclusiveFileLock : IDisposable
{
    private readonly FileStream _stream;

    private ExclusiveFileLock(FileStream stream) => _stream = stream;

    /// <summary>Takes the lock on <paramref name="path"/> (creating the file and its folder), or returns null when another handle holds it.</summary>
    public static ExclusiveFileLock? TryTake(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var stream = TryOpen(path, FileMode.OpenOrCreate);
        return stream is null ? null : new ExclusiveFileLock(stream);
    }

    /// <summary>Waits, polling every <paramref name="poll"/>, until the lock on <paramref name="path"/> is free, and takes it.</summary>
    public static async Task<ExclusiveFileLock> TakeAsync(string path, TimeSpan poll, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryTake(path) is { } taken) return taken;
            await Task.Delay(poll, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Whether a handle holds the lock on <paramref name="path"/> (false when there is no such file).</summary>
    public static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var stream = TryOpen(path, FileMode.Open);
        return stream is null && File.Exists(path);
    }

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _stream.Dispose();

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
    /// sharing or lock violation on Windows (32, 33). Any other I/O error (a full or failing disk) is not a lock and propagates.
    /// </summary>
    private static bool IsLockConflict(IOException e) =>
        OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33 : e.HResult is 11 or 35;
}
