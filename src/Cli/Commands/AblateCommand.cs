using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.IO.Enumeration;
using GiGpoNet.Experiments.Ablations;
using GiGpoNet.Experiments.Reporting;
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
        var command = new Command("ablate", "Run an ablation grid (algorithm × option × seed), resumably; finished cells are skipped. Writes results.md, results.csv and curves.")
        {
            grid, outputFolder, retry, parallel, attempts, only, dryRun, reuse,
        };
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            var study = AblationGrid.Load(parse.GetValue(grid)!);
            if (parse.GetValue(parallel) is { } p)
                study = p >= 1 ? study with { MaxParallelRuns = p } : throw new GiGpoNetConfigurationException("--parallel must be at least 1.");
            if (parse.GetValue(attempts) is { } a)
                study = a >= 1 ? study with { MaxAttempts = a } : throw new GiGpoNetConfigurationException("--attempts must be at least 1.");
            var folder = Path.GetFullPath(parse.GetValue(outputFolder) ?? Path.Combine("runs", "ablations", AblationGrid.Slug(study.Name)));
            var cells = study.Cells();
            var patterns = parse.GetValue(only) ?? [];
            bool Selected(AblationCell cell) => patterns.Length == 0 || patterns.Any(p => FileSystemName.MatchesSimpleExpression(p, cell.Id));
            var selected = cells.Count(Selected);
            if (selected == 0)
                throw new GiGpoNetConfigurationException($"--only {string.Join(" --only ", patterns)}: no cell's folder name matches; the cells are " +
                    $"{string.Join(", ", cells.Select(c => c.Id))}.");

            // Every cell's configuration is checked before any cell runs: a typo in a grid fails now, not an hour in.
            var configurations = new List<string>();
            foreach (var cell in cells)
            {
                try
                {
                    await using var services = CliServices.BuildValidated(Overrides(cell, AblationRunner.FolderOf(folder, cell), study), study.SettingsFile,
                        readWorkingDirectorySettings: false);
                    configurations.Add(services.GetRequiredService<AgentTrainer>().EffectiveConfiguration());
                }
                catch (GiGpoNetConfigurationException e)
                {
                    throw new GiGpoNetConfigurationException($"cell {cell.Id}: {e.Message}", e);
                }
            }

            var reusable = configurations.Select((configuration, i) => (cells[i], configuration)).Where(c => Selected(c.Item1));
            foreach (var line in AblationReuse.ReuseInto(folder, parse.GetValue(reuse) ?? [], reusable, parse.GetValue(dryRun)))
                await output.WriteLineAsync(line);

            if (parse.GetValue(dryRun))
            {
                foreach (var cell in cells.Where(Selected))
                    await output.WriteLineAsync($"{AblationRunner.StatusOf(AblationRunner.FolderOf(folder, cell)),-9} {cell.Id}: " +
                        $"{string.Join(' ', cell.Settings.Select(p => $"{p.Key}={p.Value}"))}");
                await output.WriteLineAsync($"{cells.Count} cells, every configuration valid; nothing was run (--dry-run).");
                return ExitCodes.Success;
            }

            await output.WriteLineAsync($"Grid '{study.Name}': {cells.Count} cells ({cells.Count / study.Seeds.Count} combinations × {study.Seeds.Count} seeds), " +
                                        $"{study.MaxParallelRuns} at a time, in {folder}");
            var clock = Stopwatch.StartNew();
            using var logging = LoggerFactory.Create(l => CliServices.ConfigureConsoleLogging(l, GiGpoNetConfiguration.Create(readWorkingDirectorySettings: false)));
            var runner = new AblationRunner((cell, cellFolder, token) => TrainAsync(cell, cellFolder, study, token), logging.CreateLogger<AblationRunner>());
            var result = await runner.RunAsync(study, folder, parse.GetValue(retry), e => output.WriteLine(Describe(e, clock.Elapsed)), cancellationToken, Selected);
            var written = AblationReport.Write(folder);
            await output.WriteLineAsync($"{result.Finished}/{selected} cells finished ({result.Skipped} had finished before), {result.Failed.Count} failed; " +
                                        $"{clock.Elapsed.TotalMinutes:0.0} min. Report: {written[0]}");
            foreach (var failed in result.Failed)
                await error.WriteLineAsync($"failed: {failed} (see {AblationRunner.FailureFileName} and train.log there; rerun with --retry-failed)");
            if (selected < cells.Count)
                await output.WriteLineAsync($"{cells.Count - selected} cells were not selected by --only and were left as they are.");
            if (result.Running.Count > 0)
                await output.WriteLineAsync($"{result.Running.Count} cells were left to the other process training them; when it ends, run `gigpo report {folder}` " +
                                            "(or this command again) for the full table.");
            return result.Failed.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        }));
        return command;
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
            $"{head} done {what}: final success {run.SummaryValue("final_success"):0.000} (warm start {run.SummaryValue("warm_start_success"):0.000}), " +
                $"{run.SummaryValue("env_steps"):0} env steps, {run.SummaryValue("wall_seconds"):0} s");
    }

    /// <summary>The <c>--Section:Key=value</c> arguments of a cell's training.</summary>
    private static List<string> Overrides(AblationCell cell, string folder, AblationGrid grid)
    {
        var settings = new Dictionary<string, string>(cell.Settings, StringComparer.OrdinalIgnoreCase) { ["Training:OutputDirectory"] = folder };
        // Cells that differ only after the warm start (algorithm, omega, ...) share it: it is trained once per seed.
        settings.TryAdd("WarmStart:CacheDirectory", Path.Combine(Path.GetDirectoryName(folder)!, AblationRunner.WarmStartCacheFolder));
        if (grid.MaxParallelRuns > 1 && !settings.ContainsKey("Backend:Threads"))
            settings["Backend:Threads"] = Math.Max(1, Environment.ProcessorCount / grid.MaxParallelRuns).ToString(CultureInfo.InvariantCulture);
        return [.. settings.Select(p => $"--{p.Key}={p.Value}")];
    }

    /// <summary>Trains one cell in a child <c>gigpo train</c> process, its output in the cell's train.log; a cancelled run kills it (it resumes from its checkpoint next
    /// time).</summary>
    private static async Task<AblationAttempt> TrainAsync(AblationCell cell, string folder, AblationGrid grid, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        var (host, prefix) = Launcher();
        start.FileName = host;
        foreach (var argument in prefix) start.ArgumentList.Add(argument);
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

    /// <summary>How to start <c>gigpo</c> again: its app host, or the dotnet host with gigpo.dll.</summary>
    private static (string Host, string[] Prefix) Launcher()
    {
        var processPath = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(processPath) == "gigpo") return (processPath, []);
        var dotnet = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return (dotnet, [typeof(AblateCommand).Assembly.Location]);
    }
}
