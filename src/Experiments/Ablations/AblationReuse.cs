using GiGpoNet.Hosting.Storage;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>
/// Lets overlapping grids train a shared cell once (the paper's tables share their GiGPO cell: the algorithm table, the level
/// ablation at both levels, ω = 1 in the sweep): a finished run in another grid's folder whose effective configuration
/// (<see cref="AgentTrainer.ConfigurationFileName"/>) describes the same computation as a pending cell's
/// (<see cref="RunFingerprint.Purpose.Reuse"/>: where a run writes and how it computes the same result aside) is copied into the
/// cell's folder instead of trained.
/// </summary>
internal static class AblationReuse
{
    /// <summary>The file a reused cell's folder gets, naming the run it was copied from.</summary>
    public const string MarkerFileName = "reused_from.txt";

    /// <summary>
    /// Prepares the grid folder <paramref name="gridFolder"/> from other grids' folders <paramref name="sourceGridFolders"/>: copies the
    /// warm starts they cached that it lacks, then, for each of <paramref name="cells"/> (with its effective configuration) that is still
    /// pending, the first finished run with the same effective configuration. With <paramref name="dryRun"/> nothing is copied and the
    /// lines say what would be. Returns one line per thing reused; the grid folder itself is skipped as a source.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">A source folder does not exist; nothing was copied. (I/O faults while
    /// copying propagate as they are.)</exception>
    public static IReadOnlyList<string> ReuseInto(string gridFolder, IEnumerable<string> sourceGridFolders,
        IEnumerable<(AblationCell Cell, string Configuration)> cells, bool dryRun = false)
    {
        ArgumentNullException.ThrowIfNull(sourceGridFolders);
        ArgumentNullException.ThrowIfNull(cells);
        gridFolder = Path.GetFullPath(gridFolder);
        var sources = sourceGridFolders.Select(Path.GetFullPath).Where(f => f != gridFolder).Distinct().ToList();
        foreach (var missing in sources.Where(f => !Directory.Exists(f)))
            throw new GiGpoNetConfigurationException($"--reuse: the folder to reuse runs from, '{missing}', does not exist; give another grid's output folder " +
                $"(runs/ablations/<grid name>).");

        var verb = dryRun ? "would reuse" : "reused";
        var lines = new List<string>();
        var cache = Path.Combine(gridFolder, AblationRunner.WarmStartCacheFolder);
        foreach (var source in sources.Select(s => Path.Combine(s, AblationRunner.WarmStartCacheFolder)))
            if (CopyWarmStarts(source, cache, dryRun) is var count and > 0)
                lines.Add($"{verb} {count} warm starts from {source}");
        foreach (var (cell, configuration) in cells)
        {
            var folder = AblationRunner.FolderOf(gridFolder, cell);
            if (AblationRunner.StatusOf(folder) != AblationCellStatus.Pending || FindFinished(sources, configuration) is not { } run) continue;
            if (!dryRun) Copy(run, folder);
            lines.Add($"{verb} {cell.Id}: {run} has the same effective configuration");
        }
        return lines;
    }

    /// <summary>The first finished run in the grid folders with this effective configuration, or null; runs without a configuration file (older runs) never match.</summary>
    private static string? FindFinished(IEnumerable<string> gridFolders, string configuration)
    {
        var wanted = RunFingerprint.Of(configuration, RunFingerprint.Purpose.Reuse);
        foreach (var run in gridFolders.SelectMany(g => Directory.EnumerateDirectories(g).Order(StringComparer.Ordinal)))
        {
            var file = Path.Combine(run, AgentTrainer.ConfigurationFileName);
            if (AblationRunner.StatusOf(run) == AblationCellStatus.Finished && File.Exists(file)
                && RunFingerprint.Of(File.ReadAllText(file), RunFingerprint.Purpose.Reuse).SameAs(wanted))
                return run;
        }
        return null;
    }

    /// <summary>Replaces <paramref name="destination"/> (a pending cell's folder) with a copy of the finished run <paramref name="source"/>.</summary>
    private static void Copy(string source, string destination)
    {
        StagedFolder.Write(destination, temporary =>
        {
            CopyFolder(source, temporary);
            File.WriteAllText(Path.Combine(temporary, MarkerFileName), Path.GetFullPath(source) + Environment.NewLine);
        }, replace: true);
    }

    /// <summary>
    /// Copies the warm starts cached in <paramref name="sourceCache"/> that <paramref name="destinationCache"/> lacks (entries are keyed by
    /// everything a warm start depends on, so a copied entry is only ever used by a cell it fits); returns how many (would be) copied.
    /// </summary>
    private static int CopyWarmStarts(string sourceCache, string destinationCache, bool dryRun)
    {
        if (!Directory.Exists(sourceCache)) return 0;
        var copied = 0;
        foreach (var entry in Directory.EnumerateDirectories(sourceCache).Where(e => !StagedFolder.IsTemporary(e)))
        {
            var destination = Path.Combine(destinationCache, Path.GetFileName(entry));
            if (!Directory.Exists(destination) && (dryRun || StagedFolder.Write(destination, temporary => CopyFolder(entry, temporary), replace: false)))
                copied++;
        }
        return copied;
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
