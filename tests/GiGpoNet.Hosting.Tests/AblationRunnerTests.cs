using System.Text.Json;
using GiGpoNet.Experiments.Ablations;

namespace GiGpoNet.Hosting.Tests;

/// <summary>The runner's handling of failed attempts, with a scripted launcher in place of <c>gigpo train</c> processes.</summary>
public sealed class AblationRunnerTests : CliTestBase
{
    private static AblationGrid Grid(int maxAttempts) => new()
    {
        Name = "attempts",
        Base = new Dictionary<string, string>(),
        Axes = [new AblationAxis("algorithm", [new AblationLevel("gigpo", new Dictionary<string, string> { ["Training:Algorithm"] = "gigpo" })])],
        Seeds = [1],
        MaxAttempts = maxAttempts,
    };

    /// <summary>A launcher that plays <paramref name="script"/> in order; a successful attempt writes the run's summary.json.</summary>
    private static (Func<AblationCell, string, CancellationToken, Task<AblationAttempt>> Launch, Func<int> Launches) Scripted(params AblationAttempt[] script)
    {
        var launches = 0;
        return ((_, folder, _) =>
        {
            var attempt = script[launches++];
            if (attempt.ExitCode == 0) File.WriteAllText(Path.Combine(folder, "summary.json"), "{}");
            return Task.FromResult(attempt);
        }, () => launches);
    }

    private static readonly AblationAttempt LibtorchFailure = new(3, "Error: libtorch failed: toFloat: Expected false to be true", Resumable: true);

    [Test]
    public async Task A_cell_that_libtorch_ended_is_resumed_at_once_and_finishes()
    {
        var (launch, launches) = Scripted(LibtorchFailure, new AblationAttempt(0, ""));
        var events = new List<AblationProgress>();
        var result = await new AblationRunner(launch).RunAsync(Grid(maxAttempts: 2), Folder, retryFailed: false, events.Add, CancellationToken.None);

        Assert.That(launches(), Is.EqualTo(2));
        Assert.That(result.Finished, Is.EqualTo(1));
        Assert.That(result.Failed, Is.Empty);
        Assert.That(events.Select(e => (e.Status, e.Attempt)), Is.EqualTo(new[]
        {
            (AblationCellStatus.Pending, 1), (AblationCellStatus.Pending, 2), (AblationCellStatus.Finished, 2),
        }));
        Assert.That(events[1].Message, Does.Contain("libtorch failed"), "the resume says what ended the previous attempt");
    }

    [Test]
    public async Task A_cell_that_keeps_failing_is_reported_after_its_last_attempt_with_the_count()
    {
        var (launch, launches) = Scripted(LibtorchFailure, LibtorchFailure, LibtorchFailure);
        var result = await new AblationRunner(launch).RunAsync(Grid(maxAttempts: 2), Folder, retryFailed: false, null, CancellationToken.None);

        Assert.That(launches(), Is.EqualTo(2));
        var failed = result.Failed.Single();
        Assert.That(AblationRunner.StatusOf(failed), Is.EqualTo(AblationCellStatus.Failed));
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(failed, AblationRunner.FailureFileName)));
        Assert.That(record.RootElement.GetProperty("attempts").GetInt32(), Is.EqualTo(2));
        Assert.That(record.RootElement.GetProperty("exit_code").GetInt32(), Is.EqualTo(3));
    }

    [Test]
    public async Task Other_failures_and_a_single_attempt_grid_are_not_retried()
    {
        var (launch, launches) = Scripted(new AblationAttempt(1, "Error: not a model folder"), new AblationAttempt(0, ""));
        var result = await new AblationRunner(launch).RunAsync(Grid(maxAttempts: 3), Path.Combine(Folder, "a"), retryFailed: false, null, CancellationToken.None);
        Assert.That((launches(), result.Failed.Count), Is.EqualTo((1, 1)), "a failure that is not resumable is reported at once");

        (launch, launches) = Scripted(LibtorchFailure, new AblationAttempt(0, ""));
        result = await new AblationRunner(launch).RunAsync(Grid(maxAttempts: 1), Path.Combine(Folder, "b"), retryFailed: false, null, CancellationToken.None);
        Assert.That((launches(), result.Failed.Count), Is.EqualTo((1, 1)), "MaxAttempts = 1 turns the automatic resume off");
    }

    private static AblationGrid WithSeeds(int seeds) => Grid(maxAttempts: 1) with { Seeds = [.. Enumerable.Range(1, seeds).Select(s => (long)s)] };

    [Test]
    public async Task A_cell_another_process_is_training_is_left_to_it_and_run_once_it_lets_go()
    {
        var grid = WithSeeds(2);
        var held = AblationRunner.FolderOf(Folder, grid.Cells()[0]);
        var claim = AblationCellClaim.TryTake(held);
        Assert.That(claim, Is.Not.Null);
        Assert.That(AblationCellClaim.TryTake(held), Is.Null, "a claim is exclusive");
        Assert.That(AblationRunner.StatusOf(held), Is.EqualTo(AblationCellStatus.Running));

        var (launch, launches) = Scripted(new AblationAttempt(0, ""), new AblationAttempt(0, ""));
        var events = new List<AblationProgress>();
        var result = await new AblationRunner(launch).RunAsync(grid, Folder, retryFailed: false, events.Add, CancellationToken.None);
        Assert.That(launches(), Is.EqualTo(1), "only the cell nobody holds is trained");
        Assert.That(result.Running, Is.EqualTo(new[] { held }));
        Assert.That((result.Finished, result.Failed.Count), Is.EqualTo((1, 0)));
        Assert.That(events.Single(e => e.Folder == held).Status, Is.EqualTo(AblationCellStatus.Running));

        claim!.Dispose();
        Assert.That(AblationRunner.StatusOf(held), Is.EqualTo(AblationCellStatus.Pending), "a released claim leaves the cell pending");
        result = await new AblationRunner(launch).RunAsync(grid, Folder, retryFailed: false, null, CancellationToken.None);
        Assert.That((launches(), result.Finished, result.Running.Count), Is.EqualTo((2, 2, 0)));
    }

    [Test]
    public async Task Only_the_selected_cells_run_and_count()
    {
        var grid = WithSeeds(3);
        var (launch, launches) = Scripted(new AblationAttempt(0, ""), new AblationAttempt(0, ""));
        var events = new List<AblationProgress>();
        var result = await new AblationRunner(launch).RunAsync(grid, Folder, retryFailed: false, events.Add, CancellationToken.None, select: c => c.Seed != 2);
        Assert.That((launches(), result.Finished), Is.EqualTo((2, 2)));
        Assert.That(events.Select(e => e.Total).Distinct(), Is.EqualTo(new[] { 2 }), "progress counts the selected cells");
        Assert.That(Directory.Exists(AblationRunner.FolderOf(Folder, grid.Cells()[1])), Is.False, "an unselected cell is left alone");
    }

    [Test]
    public async Task Two_runners_sharing_a_grid_folder_train_every_cell_exactly_once()
    {
        var grid = WithSeeds(6) with { MaxParallelRuns = 2 };
        var launched = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        async Task<AblationAttempt> Launch(AblationCell cell, string folder, CancellationToken token)
        {
            launched.AddOrUpdate(folder, 1, (_, n) => n + 1);
            await Task.Delay(50, token);
            await File.WriteAllTextAsync(Path.Combine(folder, "summary.json"), "{}", token);
            return new AblationAttempt(0, "");
        }

        var results = await Task.WhenAll(
            Task.Run(() => new AblationRunner(Launch).RunAsync(grid, Folder, retryFailed: false, null, CancellationToken.None)),
            Task.Run(() => new AblationRunner(Launch).RunAsync(grid, Folder, retryFailed: false, null, CancellationToken.None)));

        Assert.That(launched, Has.Count.EqualTo(6));
        Assert.That(launched.Values, Is.All.EqualTo(1), "no cell was trained by both runners");
        Assert.That(grid.Cells().Select(c => AblationRunner.StatusOf(AblationRunner.FolderOf(Folder, c))), Is.All.EqualTo(AblationCellStatus.Finished));
        Assert.That(results.Sum(r => r.Finished - r.Skipped), Is.GreaterThanOrEqualTo(6), "each runner counts the cells it trained or saw finished");
    }
}
