namespace GiGpoNet.Hosting.Storage;

/// <summary>
/// Writes a folder under a temporary sibling name (<c>&lt;destination&gt;.tmp-&lt;random&gt;</c>) and renames it into place once complete,
/// so that a reader never sees a half-written folder; a failed write removes its temporary folder, and a killed process leaves only
/// one that <see cref="IsTemporary"/> recognizes.
/// </summary>
internal static class StagedFolder
{
    private const string Infix = ".tmp-";

    /// <summary>Whether <paramref name="path"/> names a temporary folder of this class (a write in progress or abandoned).</summary>
    public static bool IsTemporary(string path) => Path.GetFileName(path).Contains(Infix, StringComparison.Ordinal);

    /// <summary>
    /// Creates a temporary folder, fills it with <paramref name="write"/> (given its path) and renames it to <paramref name="destination"/>.
    /// An existing destination is replaced when <paramref name="replace"/>; otherwise it is kept (another writer came first) and the
    /// staged copy is dropped. Returns whether the staged copy was put in place.
    /// </summary>
    public static bool Write(string destination, Action<string> write, bool replace)
    {
        var temporary = destination + Infix + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Directory.CreateDirectory(temporary);
            write(temporary);
            if (Directory.Exists(destination))
            {
                if (!replace) return false;
                Directory.Delete(destination, recursive: true);
            }
            Directory.Move(temporary, destination);
            return true;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }
}
