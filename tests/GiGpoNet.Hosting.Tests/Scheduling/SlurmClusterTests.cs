using System.Diagnostics;

namespace GiGpoNet.Hosting.Tests.Scheduling;

/// <summary>
/// The grid on a real Slurm: a single-node cluster on this machine (<c>.ci/slurm-single-node</c> installs Debian's slurm-wlm and munge
/// and starts them), the script of <c>gigpo ablate --emit slurm</c> submitted with <c>sbatch --wait</c>, one array task per cell.
/// </summary>
public sealed class SlurmClusterTests : CliTestBase
{
    [Test]
    [Category("Slow")]
    public void A_four_cell_grid_submitted_as_a_slurm_array_finishes_every_cell_and_its_report_is_complete()
    {
        if (!OperatingSystem.IsLinux()) Assert.Ignore("Slurm runs on Linux.");
        Assert.That(Shell(Path.Combine(RepositoryFiles.Root, ".ci", "slurm-single-node")).Code, Is.EqualTo(0), "the single-node Slurm did not start");

        var output = Path.Combine(Folder, "out");
        var script = Path.Combine(Folder, "grid.sbatch");
        var (code, _, stderr) = Run("ablate", "--grid", SchedulerJobTests.TinyGrid(Folder), "--output", output, "--emit", "slurm", "--emit-file", script,
            "--cpus-per-cell", "1", "--memory-gb-per-cell", "2", "--time-limit-minutes", "20");
        Assert.That(code, Is.EqualTo(0), stderr);

        var submitted = Shell("sbatch", "--wait", "--chdir", Folder, script);
        var logs = Directory.Exists(Path.Combine(output, "slurm-logs"))
            ? string.Join("\n", Directory.GetFiles(Path.Combine(output, "slurm-logs")).Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
            : "(no logs)";
        Assert.That(submitted.Code, Is.EqualTo(0), submitted.Output + logs);

        var taskLogs = Directory.GetFiles(Path.Combine(output, "slurm-logs"), "*.out");
        Assert.That(taskLogs, Has.Length.EqualTo(4), "one task per cell");
        var cells = new List<string>();
        foreach (var log in taskLogs)
        {
            var text = File.ReadAllText(log);
            Assert.That(text, Does.Contain("1/1 cells finished (0 had finished before), 0 failed"), text);
            cells.Add(text.Split('(', ')')[1]); // "cell i of 4 (<id>)"
        }
        Assert.That(cells.Order(), Is.EqualTo(new[] { "gigpo__seed1", "gigpo__seed2", "grpo__seed1", "grpo__seed2" }), "each task trained its own cell");

        foreach (var cell in cells) Assert.That(File.Exists(Path.Combine(output, cell, "summary.json")), Is.True, cell);
        var table = File.ReadAllLines(Path.Combine(output, "results.md")).Where(l => l.StartsWith('|')).ToList();
        Assert.That(table, Has.Count.EqualTo(4), "header, rule, one row per algorithm");
        Assert.That(table[2], Does.StartWith("| gigpo | 2/2 |"), "the report written by the last task to end holds every cell");
        Assert.That(table[3], Does.StartWith("| grpo | 2/2 |"));
    }

    private static (int Code, string Output) Shell(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not end within 15 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
