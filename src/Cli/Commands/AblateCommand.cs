using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Enumeration;
using GiGpoNet.Experiments.Ablations;
using GiGpoNet.Experiments.Reporting;
using GiGpoNet.Experiments.Scheduling;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo ablate</c>: run every cell of a grid file, each as a <c>gigpo train</c> process in its own run folder; then write the report.</summary>
internal static class AblateCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var grid = new Option<string>("--grid", "-g") { Description = "The grid file (JSON): base configuration, axes, seeds. See samples/ablations/.", Required = true };
        var outputFolder = new Option<string?>("--output", "-o") { Description = "Where the cells' run folders go (default: runs/ablations/<grid name>)." };
        var retry = new Option<bool>("--retry-failed") { Description = "Run the cells whose last attempt failed again (they are reported and skipped otherwise)." };
        var parallel = new Option<int?>("--parallel") { Description = "Cells trained at once (default: the grid's maxParallelRuns, else 1)." };
        var attempts = new Option<int?>("--attempts")
        {
            Description = "Attempts per cell when libtorch fails mid-run (exit code 3, or a crash: SIGSEGV, SIGABRT, SIGBUS); each resumes from the cell's checkpoint " +
                          "(default 3; other failures are not retried).",
        };
        var only = new Option<string[]>("--only")
        {
            Description = "Run only the cells whose folder name matches one of these patterns (repeatable; * matches any text), e.g. --only '*__seed1' " +
                          "for a first look at every combination; the others are left as they are.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check every cell's configuration and list the cells with their status; run nothing." };
        var reuse = new Option<string[]>("--reuse")
        {
            Description = "Another grid's output folder (repeatable): its finished runs with the same effective configuration as a pending cell " +
                          "(configuration.json, ignoring output folders and thread count) are copied instead of trained.",
        };
        var cellOption = new Option<string?>("--cell")
        {
            Description = "Run only the cell with this index (from 0; --dry-run lists them), retrying it if it failed, then update the report. Without a value, the index " +
                          "is the array task's: SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX (what the jobs of --emit run).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var scheduler = new AblateSchedulerOptions();
        var command = new Command("ablate", "Run an ablation grid (algorithm × option × seed), resumably; finished cells are skipped. Writes results.md, results.csv and curves.")
        {
            grid, outputFolder, retry, parallel, attempts, only, dryRun, reuse, cellOption,
        };
        foreach (var option in scheduler.All) command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            var study = AblationGrid.Load(parse.GetValue(grid)!);
            if (parse.GetValue(parallel) is { } p)
                study = p >= 1 ? study with { MaxParallelRuns = p } : throw new GiGpoNetConfigurationException("--parallel must be at least 1.");
            if (parse.GetValue(attempts) is { } a)
                study = a >= 1 ? study with { MaxAttempts = a } : throw new GiGpoNetConfigurationException("--attempts must be at least 1.");
            var ablation = new AblationStudy(study, parse.GetValue(outputFolder) ?? Path.Combine("runs", "ablations", AblationGrid.Slug(study.Name)));
            var folder = ablation.OutputFolder;
            var cells = ablation.Cells;
            var patterns = parse.GetValue(only) ?? [];
            var index = CellIndex(parse, cellOption, cells.Count, patterns.Length > 0 || scheduler.Emitting(parse));
            if (index is not null) ablation = new AblationStudy(study = study with { MaxParallelRuns = 1 }, folder);
            bool Selected(AblationCell c) => index is { } i ? c.Position == i : patterns.Length == 0 || patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, c.Id));
            var selected = cells.Count(Selected);
            if (selected == 0)
                throw new GiGpoNetConfigurationException($"--only {string.Join(" --only ", patterns)}: no cell's folder name matches; the cells are " +
                    $"{string.Join(", ", cells.Select(c => c.Id))}.");

            // Every cell's configuration is checked before any cell runs (an array task checks its own); a dry run checks them all.
            var configurations = await ablation.CheckAsync(index is null || parse.GetValue(dryRun) ? cells : [.. cells.Where(Selected)], async (cell, cellFolder) =>
            {
                await using var services = CliServices.BuildValidated(Overrides(cell, cellFolder, study), study.SettingsFile, readWorkingDirectorySettings: false);
                return services.GetRequiredService<AgentTrainer>().EffectiveConfiguration();
            }, error.WriteLine);

            if (scheduler.Emitting(parse))
            {
                var gridFile = Path.GetFullPath(parse.GetValue(grid)!);
                await error.WriteLineAsync(await scheduler.EmitAsync(parse, study, gridFile, folder, parse.GetValue(parallel), parse.GetValue(attempts), Launcher(), output));
                return ExitCodes.Success;
            }

            var reusable = configurations.Where(c => Selected(c.Item1));
            foreach (var line in ablation.Reuse(parse.GetValue(reuse) ?? [], reusable, parse.GetValue(dryRun)))
                await output.WriteLineAsync(line);

            if (parse.GetValue(dryRun))
            {
                foreach (var listed in cells.Where(Selected))
                    await output.WriteLineAsync($"{AblationRunner.StatusOf(AblationRunner.FolderOf(folder, listed)),-9} {listed.Id}: " +
                        $"{string.Join(' ', listed.Settings.Select(p => $"{p.Key}={p.Value}"))} (--cell {listed.Position})");
                await output.WriteLineAsync($"{cells.Count} cells, every configuration valid; nothing was run (--dry-run).");
                return ExitCodes.Success;
            }

            await output.WriteLineAsync(index is { } one
                ? $"Grid '{study.Name}': cell {one} of {cells.Count} ({cells[one].Id}), in {folder}"
                : $"Grid '{study.Name}': {cells.Count} cells ({cells.Count / study.Seeds.Count} combinations × {study.Seeds.Count} seeds), " +
                  $"{study.MaxParallelRuns} at a time, in {folder}");
            var clock = Stopwatch.StartNew();
            using var logging = LoggerFactory.Create(l => CliServices.ConfigureConsoleLogging(l, GiGpoNetConfiguration.Create(readWorkingDirectorySettings: false)));
            var (result, written) = await ablation.RunAsync((cell, cellFolder, token) => TrainAsync(cell, cellFolder, study, token),
                retryFailed: parse.GetValue(retry) || index is not null, Selected, e => output.WriteLine(Describe(e, clock.Elapsed)),
                logging.CreateLogger<AblationRunner>(), cancellationToken);
            await output.WriteLineAsync($"{result.Finished}/{selected} cells finished ({result.Skipped} had finished before), {result.Failed.Count} failed; " +
                                        $"{clock.Elapsed.TotalMinutes:0.0} min. Report: {written[0]}");
            foreach (var failed in result.Failed)
                await error.WriteLineAsync($"failed: {failed} (see {AblationRunner.FailureFileName} and train.log there; rerun with --retry-failed)");
            if (selected < cells.Count && index is null)
                await output.WriteLineAsync($"{cells.Count - selected} cells were not selected by --only and were left as they are.");
            if (result.Running.Count > 0)
                await output.WriteLineAsync($"{result.Running.Count} cells were left to the other process training them; when it ends, run `gigpo report {folder}` " +
                                            "(or this command again) for the full table.");
            return result.Failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
    }

    /// <summary>The index <c>--cell</c> gives (its value, or the array task's), or null without <c>--cell</c>.</summary>
    private static int? CellIndex(ParseResult parse, Option<string?> cell, int cells, bool conflicting)
    {
        if (parse.GetResult(cell) is null) return null;
        if (conflicting) throw new GiGpoNetConfigurationException("--cell runs one cell; it does not go with --only or --emit.");
        var index = parse.GetValue(cell) is { } text
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given
                : throw new GiGpoNetConfigurationException($"--cell {text}: give a cell index (a whole number from 0), or no value to read the array task's.")
            : ArrayTaskIndex.Read(Environment.GetEnvironmentVariable);
        return index < cells ? index
            : throw new GiGpoNetConfigurationException($"--cell {index}: the grid has {cells} cells, indexed 0 to {cells - 1} (--dry-run lists them).");
    }

    private static string Describe(AblationProgress e, TimeSpan elapsed)
    {
        var what = string.Join(", ", e.Cell.Labels.Select(l => $"{l.Key}={l.Value}").Append($"seed {e.Cell.Seed}"));
        var head = $"[{e.Done}/{e.Total}, {elapsed.TotalMinutes:0.0} min]";
        if (e.Status == AblationCellStatus.Pending)
            return e.Attempt == 1 ? $"{head} start {what}" : $"{head} resume {what} (attempt {e.Attempt}), after: {e.Message}";
        if (e.Status == AblationCellStatus.Running)
            return $"{head} elsewhere {what}: another process is training it (it holds {Path.Combine(e.Folder, AblationCellClaim.FileName)})";
        if (e.Status == AblationCellStatus.Failed) return $"{head} FAILED {what}{(e.Attempt > 1 ? $" (attempt {e.Attempt})" : "")}: {e.Message}";
        var run = RunHistory.Load(e.Folder);
        return string.Create(CultureInfo.InvariantCulture,
            $"{head} done {what}: final success {run.SummaryValue(MetricNames.FinalSuccess):0.000} (warm start {run.SummaryValue(MetricNames.WarmStartSuccess):0.000}), " +
                $"{run.SummaryValue(MetricNames.EnvironmentSteps):0} env steps, {run.SummaryValue(MetricNames.WallSeconds):0} s");
    }

    /// <summary>The <c>--Section:Key=value</c> arguments of a cell's training.</summary>
    private static List<string> Overrides(AblationCell cell, string folder, AblationGrid grid)
    {
        var settings = AblationRunner.SettingsOf(Path.GetDirectoryName(folder)!, cell);
        if (grid.MaxParallelRuns > 1 && !settings.ContainsKey("Backend:Threads"))
            settings["Backend:Threads"] = Math.Max(1, Environment.ProcessorCount / grid.MaxParallelRuns).ToString(CultureInfo.InvariantCulture);
        return [.. settings.Select(p => $"--{p.Key}={p.Value}")];
    }

    /// <summary>Trains one cell in a child <c>gigpo train</c> process, its output in the cell's train.log; a cancelled run kills it (it resumes from its checkpoint next
    /// time).</summary>
    private static async Task<AblationAttempt> TrainAsync(AblationCell cell, string folder, AblationGrid grid, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var launcher = Launcher();
        start.FileName = launcher[0];
        foreach (var argument in launcher.Skip(1)) start.ArgumentList.Add(argument);
        start.ArgumentList.Add("train");
        if (grid.SettingsFile is not null)
        {
            start.ArgumentList.Add("--settings");
            start.ArgumentList.Add(grid.SettingsFile);
        }
        foreach (var argument in Overrides(cell, folder, grid)) start.ArgumentList.Add(argument);

        await using var log = new StreamWriter(Path.Combine(folder, "train.log"), append: true) { AutoFlush = true };
        var errors = new Queue<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (log)
            {
                log.WriteLine(e.Data);
                errors.Enqueue(e.Data);
                if (errors.Count > 5) errors.Dequeue();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.WaitForExit(); // drains the redirected streams
        lock (log)
        {
            var message = string.Join(" | ", errors);
            if (ExitCodes.NativeCrash(process.ExitCode) is not { } crash)
                return new AblationAttempt(process.ExitCode, message, Resumable: process.ExitCode == ExitCodes.NativeFailure);
            message = $"the training process crashed in native code (libtorch): {crash}{(message.Length > 0 ? $"; last errors: {message}" : "")}";
            log.WriteLine(message);
            return new AblationAttempt(process.ExitCode, message, Resumable: true);
        }
    }

    /// <summary>How to start <c>gigpo</c> again, program first: its app host, or the dotnet host with gigpo.dll.</summary>
    private static string[] Launcher()
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(processPath) == "gigpo") return [processPath];
        var dotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return [dotnet, typeof(AblateCommand).Assembly.Location];
    }
}
