using GiGpoNet.Experiments.Ablations;
using Microsoft.ML;

namespace GiGpoNet;

/// <summary>
/// Ablation grids defined in code (<see cref="AgentContext.Experiments"/>), run by the runner behind <c>gigpo ablate</c>: cells that
/// finished are kept, a failed one is recorded and the others go on, the warm start is trained once per seed, and the report is written.
/// </summary>
public sealed class ExperimentCatalog
{
    private readonly AgentContext _context;

    internal ExperimentCatalog(AgentContext context) => _context = context;

    /// <summary>A grid around a base run; add axes with <see cref="ExperimentGrid.Compare"/> and <see cref="ExperimentGrid.Vary"/>.</summary>
    /// <param name="name">The grid's name (its report's title).</param>
    /// <param name="algorithm">The base run's algorithm (an axis of algorithms replaces it).</param>
    /// <param name="environment">The environment.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="configure">The base run's settings.</param>
    public ExperimentGrid Grid(string name, AlgorithmChoice algorithm, EnvironmentChoice environment, PolicyChoice policy, Action<RunSettings>? configure = null) =>
        new(_context, name, algorithm, environment, policy, configure);

    /// <summary>
    /// Checks every cell's configuration, then trains the cells not finished in <paramref name="outputFolder"/> one at a time in this
    /// process (for cells in parallel or on a cluster, save the grid with <see cref="ExperimentGrid.ToAblationGrid"/> and use
    /// <c>gigpo ablate</c>), writes the report (results.md, results.csv, curves) and returns its table.
    /// </summary>
    /// <returns>The report's table (<see cref="AgentDataCatalog.LoadGridTable"/>); per-run rows come from <see cref="AgentDataCatalog.LoadGrid"/>.</returns>
    /// <exception cref="GiGpoNetConfigurationException">A cell's configuration is wrong; nothing has run.</exception>
    /// <exception cref="InvalidOperationException">Cells failed; the message names them, and each folder's failed.json says why.</exception>
    public async Task<IDataView> RunAsync(ExperimentGrid grid, string outputFolder, IProgress<AblationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        var study = new AblationStudy(grid.ToAblationGrid() with { MaxParallelRuns = 1 }, outputFolder);
        outputFolder = study.OutputFolder;
        await study.CheckAsync(study.Cells, (cell, _) => Task.FromResult(_context.EffectiveConfiguration(AblationRunner.SettingsOf(study.OutputFolder, cell))))
            .ConfigureAwait(false);
        var (result, _) = await study.RunAsync((cell, _, token) => TrainCellAsync(cell, study.OutputFolder, token), progress: e => progress?.Report(e),
            cancellationToken: cancellationToken).ConfigureAwait(false);
        if (result.Failed.Count > 0)
            throw new InvalidOperationException($"{result.Failed.Count} cells failed: {string.Join(", ", result.Failed)} (see {AblationRunner.FailureFileName} in each).");
        return _context.Data.LoadGridTable(outputFolder);
    }

    private async Task<AblationAttempt> TrainCellAsync(AblationCell cell, string outputFolder, CancellationToken cancellationToken)
    {
        try
        {
            await _context.TrainAsync(AblationRunner.SettingsOf(outputFolder, cell), null, cancellationToken).ConfigureAwait(false);
            return new AblationAttempt(0, "");
        }
        catch (GiGpoNetConfigurationException e)
        {
            return new AblationAttempt(2, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return new AblationAttempt(1, e.Message);
        }
    }
}
