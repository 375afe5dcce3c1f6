using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>
/// An ablation grid run as a study, the one path <c>gigpo ablate</c> and <c>AgentContext.Experiments</c> share: every selected cell's
/// configuration checked before any cell runs, finished runs of other grids reused, the pending cells trained (resumably, by the host's
/// launcher: a child process, or in process) and the report written. How a cell's configuration is checked and how it is trained come
/// from the host, which alone knows the parts it registers.
/// </summary>
/// <param name="grid">The grid.</param>
/// <param name="outputFolder">Where the cells' run folders go (made absolute).</param>
public sealed class AblationStudy(AblationGrid grid, string outputFolder)
{
    /// <summary>The grid.</summary>
    public AblationGrid Grid { get; } = grid ?? throw new ArgumentNullException(nameof(grid));

    /// <summary>The grid's output folder, absolute.</summary>
    public string OutputFolder { get; } = Path.GetFullPath(outputFolder);

    /// <summary>Every cell of the grid, in order.</summary>
    public IReadOnlyList<AblationCell> Cells { get; } = grid.Cells();

    /// <summary>
    /// Checks the configuration of each of <paramref name="cells"/> with <paramref name="effectiveConfiguration"/> (given a cell and its
    /// run folder, it validates the cell's configuration as a run would and returns the run's effective configuration), so that a typo in
    /// a grid fails now, not an hour in; <paramref name="progress"/> hears how far a large grid has got every ten seconds.
    /// </summary>
    /// <returns>Each cell with its effective configuration, for <see cref="Reuse"/>.</returns>
    /// <exception cref="GiGpoNetConfigurationException">A cell's configuration is wrong; the message names the cell.</exception>
    public async Task<IReadOnlyList<(AblationCell Cell, string Configuration)>> CheckAsync(IReadOnlyCollection<AblationCell> cells,
        Func<AblationCell, string, Task<string>> effectiveConfiguration, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(effectiveConfiguration);
        if (cells.Count > 100) progress?.Invoke($"checking the configurations of {cells.Count} cells before any runs...");
        var checkedCells = new List<(AblationCell, string)>();
        var lastReport = Stopwatch.StartNew();
        foreach (var cell in cells)
        {
            if (lastReport.Elapsed > TimeSpan.FromSeconds(10))
            {
                progress?.Invoke($"checked {checkedCells.Count} of {cells.Count} cells");
                lastReport.Restart();
            }
            try
            {
                checkedCells.Add((cell, await effectiveConfiguration(cell, AblationRunner.FolderOf(OutputFolder, cell)).ConfigureAwait(false)));
            }
            catch (GiGpoNetConfigurationException e)
            {
                throw new GiGpoNetConfigurationException($"cell {cell.Id}: {e.Message}", e);
            }
        }
        return checkedCells;
    }

    /// <summary>
    /// Copies into this grid the warm starts other grids cached and their finished runs whose effective configuration equals a pending
    /// cell's (see <see cref="AblationReuse.ReuseInto"/>); with <paramref name="dryRun"/>, only says what it would copy.
    /// </summary>
    public IReadOnlyList<string> Reuse(IEnumerable<string> otherGrids, IEnumerable<(AblationCell Cell, string Configuration)> cells, bool dryRun) =>
        AblationReuse.ReuseInto(OutputFolder, otherGrids, cells, dryRun);

    /// <summary>
    /// Trains the selected cells that have not finished, <see cref="AblationGrid.MaxParallelRuns"/> at a time, each through
    /// <paramref name="launch"/> (given the cell and its run folder), then writes the report from the folders.
    /// </summary>
    /// <returns>What ran, and the report's files (results.md first).</returns>
    public async Task<(AblationRunResult Result, IReadOnlyList<string> Report)> RunAsync(Func<AblationCell, string, CancellationToken, Task<AblationAttempt>> launch,
        bool retryFailed = false, Predicate<AblationCell>? selected = null, Action<AblationProgress>? progress = null, ILogger<AblationRunner>? logger = null,
        CancellationToken cancellationToken = default)
    {
        var result = await new AblationRunner(launch, logger).RunAsync(Grid, OutputFolder, retryFailed, progress, cancellationToken, selected).ConfigureAwait(false);
        return (result, AblationReport.Write(OutputFolder));
    }
}
