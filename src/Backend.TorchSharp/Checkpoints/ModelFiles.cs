namespace GiGpoNet.Backend.Checkpoints;

/// <summary>
/// Reading a model folder's files safely: only regular, non-empty files (a FIFO, a device or a link to one would block or never end:
/// they report a size of 0, and links are followed to their target first), and no larger than a bound for the small JSON files.
/// </summary>
internal static class ModelFiles
{
    /// <summary>The largest JSON or text file of a model folder read whole (a tokenizer.json is at most tens of MB).</summary>
    public const long MaxTextBytes = 512L << 20;

    /// <summary>
    /// How a model's JSON file is parsed: nested at most <paramref name="maxDepth"/> deep, and a key given twice is an error (which of
    /// the two Python's reader would take is the last, .NET's the first: neither guess is safe).
    /// </summary>
    public static System.Text.Json.JsonDocumentOptions JsonOptions(int maxDepth) => new() { MaxDepth = maxDepth, AllowDuplicateProperties = false };

    /// <summary>The file's final target when it exists, after every link, or null when there is none.</summary>
    private static FileInfo? Target(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo final) info = final;
        return info.Exists ? info : null;
    }

    /// <summary>Whether <paramref name="path"/> exists as a file (not a folder), wherever its links lead.</summary>
    public static bool Exists(string path) => Target(path) is not null;

    /// <summary>
    /// What keeps <paramref name="path"/> from being read as a regular file, or null: missing, empty (as a FIFO or device reports
    /// itself), under /dev, /proc or /sys, or larger than <paramref name="maxBytes"/>.
    /// </summary>
    public static string? Problem(string path, long maxBytes = long.MaxValue)
    {
        var target = Target(path);
        if (target is null) return $"'{path}' does not exist";
        var full = target.FullName;
        if (full.StartsWith("/dev/", StringComparison.Ordinal) || full.StartsWith("/proc/", StringComparison.Ordinal) || full.StartsWith("/sys/", StringComparison.Ordinal))
            return $"'{path}' leads to {full}, which is not a regular file";
        if (target.Length == 0) return $"'{path}' is empty or not a regular file (a FIFO or a device)";
        if (target.Length > maxBytes) return $"'{path}' has {target.Length} bytes, more than the {maxBytes} a file of its kind may have";
        return null;
    }

    /// <summary>Refuses what <see cref="Problem"/> names.</summary>
    /// <exception cref="InvalidDataException">The file cannot be read safely.</exception>
    public static void Require(string path, long maxBytes = long.MaxValue)
    {
        if (Problem(path, maxBytes) is { } problem) throw new InvalidDataException(problem + "; give the model's real file.");
    }

    /// <summary>The text of a small file, after <see cref="Require"/>.</summary>
    public static string ReadText(string path)
    {
        Require(path, MaxTextBytes);
        return File.ReadAllText(path);
    }

    /// <summary>The bytes of a small file, after <see cref="Require"/>.</summary>
    public static byte[] ReadBytes(string path)
    {
        Require(path, MaxTextBytes);
        return File.ReadAllBytes(path);
    }
}
