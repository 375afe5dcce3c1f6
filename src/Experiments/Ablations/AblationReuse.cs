using System.Text.Json.Nodes;
using GiGpoNet.Hosting.Storage;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>
/// Lets overlapping grids train a shared cell once (the paper's tables share their GiGPO cell: the algorithm table, the level
/// ablation at both levels, ω = 1 in the sweep): a finished run in another grid's folder whose effective configuration
/// (<see cref="AgentTrainer.ConfigurationFileName"/>) equals a pending cell's is copied into the cell's folder instead of trained.
/// Settings that say where a run writes or how it computes the same result (threads, micro-batch order) are not compared (<see cref="IgnoredSettings"/>).
/// </summary>
internal static class AblationReuse
{
    /// <summary>The file a reused cell's folder gets, naming the run it was copied from.</summary>
    public const string MarkerFileName = "reused_from.txt";

    /// <summary>
    /// Settings left out of the comparison: where the run writes, where warm starts are cached, whether it resumes, and how it computes
    /// what it would compute anyway (libtorch's thread count, length-ordered micro-batches: float rounding apart, the same).
    /// </summary>
    public static readonly IReadOnlyList<(string Section, string Key)> IgnoredSettings =
        [("Training", "OutputDirectory"), ("Training", "Resume"), ("WarmStart", "CacheDirectory"), ("Backend", "Threads"), ("Update", "LengthBucketing")];

    /// <summary>
    /// Derived values that earlier versions wrote into <c>configuration.json</c> beside the settings they derive from (<c>*</c>: any
    /// estimator); left out of the comparison, so that runs written before and after compare equal.
    /// </summary>
    private static readonly string[][] DerivedValuesOfEarlierVersions =
        [["Policy", "Lora", "Enabled"], ["Policy", "Lora", "Targets"], ["Algorithms", "*", "EffectiveEpisodeMode"], ["Algorithms", "*", "EffectiveStepMode"]];

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
        var wanted = Comparable(configuration);
        foreach (var run in gridFolders.SelectMany(g => Directory.EnumerateDirectories(g).Order(StringComparer.Ordinal)))
        {
            var file = Path.Combine(run, AgentTrainer.ConfigurationFileName);
            if (AblationRunner.StatusOf(run) == AblationCellStatus.Finished && File.Exists(file) && JsonNode.DeepEquals(Comparable(File.ReadAllText(file)), wanted))
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

    private static JsonNode Comparable(string configuration)
    {
        var document = JsonNode.Parse(configuration)?.AsObject() ?? throw new InvalidDataException("An effective configuration must be a JSON object.");
        foreach (var (section, key) in IgnoredSettings)
            if (document[section] is JsonObject settings) settings.Remove(key);
        foreach (var path in DerivedValuesOfEarlierVersions)
            Remove(document, path);
        return document;
    }

    private static void Remove(JsonObject node, ReadOnlySpan<string> path)
    {
        if (path.Length == 1)
        {
            node.Remove(path[0]);
            return;
        }
        foreach (var (name, child) in node.ToList())
            if ((path[0] == "*" || path[0] == name) && child is JsonObject inner) Remove(inner, path[1..]);
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
