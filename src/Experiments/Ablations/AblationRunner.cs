using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>Where a cell stands.</summary>
public enum AblationCellStatus
{
    /// <summary>Not run yet, or interrupted (its training resumes from its last checkpoint).</summary>
    Pending,

    /// <summary>Its run folder holds a <c>summary.json</c>.</summary>
    Finished,

    /// <summary>Its last attempt failed; <c>failed.json</c> in its folder says how. Rerun with <c>--retry-failed</c>.</summary>
    Failed,

    /// <summary>Another process is training it (it holds the cell's <see cref="AblationCellClaim"/>); this runner leaves it to that process.</summary>
    Running,
}

/// <summary>How one attempt at a cell ended.</summary>
/// <param name="ExitCode">The training's exit code (0 success).</param>
/// <param name="Message">What went wrong (the end of its error output), or empty.</param>
/// <param name="Resumable">
/// The failure was not the cell's fault (libtorch failed mid-run) and its checkpoint is kept: the runner starts it again, up to
/// <see cref="AblationGrid.MaxAttempts"/> attempts in all. Other failures (bad data, a missing model) are reported at once.
/// </param>
public sealed record AblationAttempt(int ExitCode, string Message, bool Resumable = false);

/// <summary>Something the runner reports: a cell started or ended.</summary>
/// <param name="Cell">The cell.</param>
/// <param name="Folder">Its run folder.</param>
/// <param name="Status">Its status after the event (<see cref="AblationCellStatus.Pending"/> when it starts or starts again).</param>
/// <param name="Done">Cells finished or failed so far, of <paramref name="Total"/>.</param>
/// <param name="Total">Cells in the grid.</param>
/// <param name="Message">A failure's message (for a cell started again: the failure that ended its previous attempt), else empty.</param>
/// <param name="Attempt">The attempt this event belongs to, from 1.</param>
public sealed record AblationProgress(AblationCell Cell, string Folder, AblationCellStatus Status, int Done, int Total, string Message, int Attempt = 1);

/// <summary>What a grid run did.</summary>
/// <param name="Finished">Cells finished (including those skipped because they had finished before).</param>
/// <param name="Failed">Cells whose last attempt failed, with their folders.</param>
/// <param name="Skipped">Finished cells that were not run again.</param>
/// <param name="Running">Cells another process was training, with their folders: they were left to it.</param>
public sealed record AblationRunResult(int Finished, IReadOnlyList<string> Failed, int Skipped, IReadOnlyList<string> Running);

/// <summary>
/// Runs the cells of an <see cref="AblationGrid"/>, each in its own run folder under one output folder, up to
/// <see cref="AblationGrid.MaxParallelRuns"/> at once. Resumable: finished cells are skipped, interrupted ones run again (their
/// training resumes from its checkpoint), a cell that libtorch ended is resumed at once (up to <see cref="AblationGrid.MaxAttempts"/>
/// attempts), other failed ones are reported and only rerun when asked. A cell is trained under an <see cref="AblationCellClaim"/>, so
/// several runners (processes, machines) can share one grid folder: each leaves the cells another holds. How a cell is trained is given by a
/// launcher (the CLI starts a <c>gigpo train</c> process per cell, so that runs share no global state and a crash stays in its cell).
/// </summary>
public sealed class AblationRunner(Func<AblationCell, string, CancellationToken, Task<AblationAttempt>> launch, ILogger<AblationRunner>? logger = null)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The file a failed attempt leaves in its cell's folder.</summary>
    public const string FailureFileName = "failed.json";

    /// <summary>The folder, beside a grid's run folders, where its cells cache their warm starts (<c>WarmStart:CacheDirectory</c>): cells that differ only after the warm start
    /// share it.</summary>
    public const string WarmStartCacheFolder = "warm-start-cache";

    /// <summary>The run folder of <paramref name="cell"/> under <paramref name="outputFolder"/>.</summary>
    public static string FolderOf(string outputFolder, AblationCell cell) => Path.Combine(outputFolder, cell.Id);

    /// <summary>
    /// The configuration keys a cell trains with: its own, its run folder (<c>Training:OutputDirectory</c>), and the grid's warm-start
    /// cache (<c>WarmStart:CacheDirectory</c>, unless the cell sets one), so the cells of a seed train the warm start once.
    /// </summary>
    public static Dictionary<string, string> SettingsOf(string outputFolder, AblationCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        var settings = new Dictionary<string, string>(cell.Settings, StringComparer.OrdinalIgnoreCase) { ["Training:OutputDirectory"] = FolderOf(outputFolder, cell) };
        settings.TryAdd("WarmStart:CacheDirectory", Path.Combine(outputFolder, WarmStartCacheFolder));
        return settings;
    }

    /// <summary>The status of a cell's run folder.</summary>
    public static AblationCellStatus StatusOf(string folder) => OutcomeOf(folder) is var outcome && outcome == AblationCellStatus.Pending
        && AblationCellClaim.IsHeld(folder) ? AblationCellStatus.Running : outcome;

    /// <summary>What a cell's run folder says of its last attempt: finished, failed, or neither (pending).</summary>
    private static AblationCellStatus OutcomeOf(string folder) =>
        File.Exists(Path.Combine(folder, "summary.json")) ? AblationCellStatus.Finished
        : File.Exists(Path.Combine(folder, FailureFileName)) ? AblationCellStatus.Failed
        : AblationCellStatus.Pending;

    /// <summary>
    /// Runs every cell that is pending (and those that failed, with <paramref name="retryFailed"/>); with <paramref name="select"/>,
    /// only the cells it accepts (the others are neither run nor counted, their folders untouched but for <c>cell.json</c>).
    /// </summary>
    public async Task<AblationRunResult> RunAsync(AblationGrid grid, string outputFolder, bool retryFailed, Action<AblationProgress>? progress,
        CancellationToken cancellationToken, Predicate<AblationCell>? select = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        Directory.CreateDirectory(outputFolder);
        var all = grid.Cells();
        // Every existing cell folder (finished, failed, or copied from another grid) is described as this grid's cell, with its place in the grid.
        foreach (var cell in all)
            if (Directory.Exists(FolderOf(outputFolder, cell))) cell.Save(FolderOf(outputFolder, cell), grid.Name);
        IReadOnlyList<AblationCell> cells = select is null ? all : [.. all.Where(c => select(c))];
        var folders = cells.Select(c => FolderOf(outputFolder, c)).ToList();
        var statuses = folders.Select(StatusOf).ToArray();
        var skipped = statuses.Count(s => s == AblationCellStatus.Finished);
        bool Settled(AblationCellStatus s) => s == AblationCellStatus.Finished || (s == AblationCellStatus.Failed && !retryFailed);
        var done = statuses.Count(Settled);
        var gate = new object();
        using var slots = new SemaphoreSlim(grid.MaxParallelRuns);
        var work = new List<Task>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (Settled(statuses[i])) continue;
            var (cell, folder, index) = (cells[i], folders[i], i);
            if (statuses[i] == AblationCellStatus.Running)
            {
                lock (gate) progress?.Invoke(new AblationProgress(cell, folder, AblationCellStatus.Running, done, cells.Count, ""));
                continue;
            }
            await slots.WaitAsync(cancellationToken);
            work.Add(Task.Run(async () =>
            {
                try
                {
                    using var claim = AblationCellClaim.TryTake(folder);
                    // Another runner took the cell since the statuses were read, or settled it: leave it.
                    var now = claim is null ? AblationCellStatus.Running : OutcomeOf(folder);
                    if (now != AblationCellStatus.Pending && !(now == AblationCellStatus.Failed && retryFailed))
                    {
                        lock (gate)
                        {
                            statuses[index] = now;
                            if (Settled(now)) done++;
                            progress?.Invoke(new AblationProgress(cell, folder, now, done, cells.Count, ""));
                        }
                        return;
                    }
                    cell.Save(folder, grid.Name);
                    File.Delete(Path.Combine(folder, FailureFileName));
                    lock (gate) progress?.Invoke(new AblationProgress(cell, folder, AblationCellStatus.Pending, done, cells.Count, ""));
                    GridLog.Started(_logger, cell.Id, folder);
                    var (status, message, attempts, exitCode) = (AblationCellStatus.Failed, "", 0, 0);
                    while (true)
                    {
                        var attempt = await launch(cell, folder, cancellationToken);
                        (attempts, exitCode) = (attempts + 1, attempt.ExitCode);
                        cancellationToken.ThrowIfCancellationRequested();
                        status = attempt.ExitCode == 0 && StatusOf(folder) == AblationCellStatus.Finished ? AblationCellStatus.Finished : AblationCellStatus.Failed;
                        message = status == AblationCellStatus.Finished ? ""
                            : attempt.ExitCode == 0 ? "the training ended without writing summary.json" : attempt.Message;
                        if (status == AblationCellStatus.Finished || !attempt.Resumable || attempts >= grid.MaxAttempts) break;
                        lock (gate) progress?.Invoke(new AblationProgress(cell, folder, AblationCellStatus.Pending, done, cells.Count, message, attempts + 1));
                    }
                    if (status == AblationCellStatus.Finished) GridLog.Finished(_logger, cell.Id, attempts);
                    else GridLog.Failed(_logger, cell.Id, attempts, exitCode, message);
                    if (status == AblationCellStatus.Failed)
                        File.WriteAllText(Path.Combine(folder, FailureFileName), JsonSerializer.Serialize(
                            new Dictionary<string, object> { ["exit_code"] = exitCode, ["message"] = message, ["attempts"] = attempts,
                                ["time"] = DateTimeOffset.UtcNow.ToString("O") },
                            Indented));
                    lock (gate)
                    {
                        statuses[index] = status;
                        done++;
                        progress?.Invoke(new AblationProgress(cell, folder, status, done, cells.Count, message, attempts));
                    }
                }
                finally
                {
                    slots.Release();
                }
            }, CancellationToken.None));
        }
        await Task.WhenAll(work);
        List<string> With(AblationCellStatus status) => folders.Where((_, i) => statuses[i] == status).ToList();
        return new AblationRunResult(statuses.Count(s => s == AblationCellStatus.Finished), With(AblationCellStatus.Failed), skipped, With(AblationCellStatus.Running));
    }
}
