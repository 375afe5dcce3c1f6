using System.Text.Json.Nodes;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Ablations;

/// <summary>
/// Lets overlapping grids train a shared cell once (the paper's tables share their GiGPO cell: the algorithm table, the level
/// ablation at both levels, ω = 1 in the sweep): a finished run in another grid's folder whose effective configuration
/// (<see cref="AgentTrainer.ConfigurationFileName"/>) equals a pending cell's is copied into the cell's folder instead of trained.
/// Settings that say where a run writes or how many threads it uses are not compared (<see cref="IgnoredSettings"/>).
/// </summary>
public static class AblationReuse
{
    /// <summary>The file a reused cell's folder gets, naming the run it was copied from.</summary>
    public const string MarkerFileName = "reused_from.txt";

    /// <summary>Settings left out of the comparison: where the run writes, where warm starts are cached, whether it resumes, libtorch's thread count.</summary>
    public static readonly IReadOnlyList<(string Section, string Key)> IgnoredSettings =
        [("Training", "OutputDirectory"), ("Training", "Resume"), ("WarmStart", "CacheDirectory"), ("Backend", "Threads")];

    /// <summary>
    /// The first finished run under <paramref name="gridFolders"/> (each a grid's output folder, whose subfolders are runs) with the
    /// effective configuration <paramref name="configuration"/>, or null. Runs without a configuration file (older runs) never match.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">A folder to reuse from does not exist.</exception>
    public static string? FindFinished(IEnumerable<string> gridFolders, string configuration)
    {
        ArgumentNullException.ThrowIfNull(gridFolders);
        var wanted = Comparable(configuration);
        foreach (var gridFolder in gridFolders)
        {
            if (!Directory.Exists(gridFolder))
                throw new DirectoryNotFoundException($"The folder to reuse runs from, '{gridFolder}', does not exist; give a grid's output folder (runs/ablations/<grid name>).");
            foreach (var run in Directory.EnumerateDirectories(gridFolder).Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(run, AgentTrainer.ConfigurationFileName);
                if (AblationRunner.StatusOf(run) == AblationCellStatus.Finished && File.Exists(file) && JsonNode.DeepEquals(Comparable(File.ReadAllText(file)), wanted))
                    return run;
            }
        }
        return null;
    }

    /// <summary>Replaces <paramref name="destination"/> (a pending cell's folder) with a copy of the finished run <paramref name="source"/>.</summary>
    public static void Copy(string source, string destination)
    {
        var temporary = destination + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        CopyFolder(source, temporary);
        File.WriteAllText(Path.Combine(temporary, MarkerFileName), Path.GetFullPath(source) + Environment.NewLine);
        if (Directory.Exists(destination)) Directory.Delete(destination, recursive: true);
        Directory.Move(temporary, destination);
    }

    /// <summary>
    /// Copies the warm starts cached in <paramref name="sourceCache"/> (another grid's <c>WarmStart:CacheDirectory</c>) that
    /// <paramref name="destinationCache"/> lacks, so that a grid run with <c>--reuse</c> does not train again the warm starts the other
    /// grid trained (entries are keyed by everything a warm start depends on, so a copied entry is only ever used by a cell it fits).
    /// Returns how many were copied; a missing source copies none.
    /// </summary>
    public static int CopyWarmStarts(string sourceCache, string destinationCache)
    {
        if (!Directory.Exists(sourceCache)) return 0;
        var copied = 0;
        foreach (var entry in Directory.EnumerateDirectories(sourceCache).Where(e => !Path.GetFileName(e).Contains(".tmp-", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(destinationCache, Path.GetFileName(entry));
            if (Directory.Exists(destination)) continue;
            var temporary = destination + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            CopyFolder(entry, temporary);
            if (Directory.Exists(destination)) Directory.Delete(temporary, recursive: true);
            else
            {
                Directory.Move(temporary, destination);
                copied++;
            }
        }
        return copied;
    }

    private static JsonNode Comparable(string configuration)
    {
        var document = JsonNode.Parse(configuration)?.AsObject() ?? throw new InvalidDataException("An effective configuration must be a JSON object.");
        foreach (var (section, key) in IgnoredSettings)
            if (document[section] is JsonObject settings) settings.Remove(key);
        return document;
    }

    private static void CopyFolder(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(source))
            if (Path.GetFileName(file) is not (AblationCell.FileName or AblationCellClaim.FileName)) File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        foreach (var folder in Directory.EnumerateDirectories(source))
            CopyFolder(folder, Path.Combine(destination, Path.GetFileName(folder)));
    }
}
