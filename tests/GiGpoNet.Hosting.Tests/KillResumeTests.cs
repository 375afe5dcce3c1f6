using System.Diagnostics;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// SIGKILL at random moments (seed 19) of a 100-iteration run, saves and the warm start included, twenty times: every restart resumes from
/// the last complete checkpoint (or starts over before the first), and the finished run's metrics equal an uninterrupted run's.
/// </summary>
[Category("Slow")]
public sealed class KillResumeTests : CliTestBase
{
    private const int Kills = 20;

    [Test]
    public void Twenty_kills_at_random_moments_end_with_the_metrics_of_an_uninterrupted_run()
    {
        var reference = Path.Combine(Folder, "reference");
        var killed = Path.Combine(Folder, "killed");
        string[] Settings(string folder) => [.. TinyTraining.Checkpointed(folder, 200)];
        var (code, _, stderr) = Run(Settings(reference));
        Assert.That(code, Is.EqualTo(0), stderr);

        var cli = Path.Combine(TestContext.CurrentContext.TestDirectory, "gigpo.dll");
        var random = new Random(19);
        var kills = 0;
        var attempts = 0;
        while (kills < Kills && attempts++ < 60)
        {
            using var iterating = new ManualResetEventSlim();
            using var process = Start(cli, Settings(killed), iterating);
            // Past start-up and the warm start, the kill lands anywhere in the next iteration: its rollouts, update, metric lines or
            // checkpoint save. The first attempts die in the warm start (before any iteration line), as a kill at start-up would.
            var delay = TimeSpan.FromMilliseconds(random.Next(0, 900));
            var started = kills < 2 ? true : iterating.Wait(TimeSpan.FromMinutes(2));
            if (!started || process.WaitForExit(kills < 2 ? TimeSpan.FromMilliseconds(random.Next(1500, 3000)) : delay))
            {
                Assert.That(process.ExitCode, Is.EqualTo(0), process.StandardError.ReadToEnd());
                break; // finished before this kill
            }
            process.Kill(entireProcessTree: true); // SIGKILL: no handler runs
            process.WaitForExit();
            kills++;
        }
        var reached = TrainingCheckpoint.Latest(killed);
        TestContext.Out.WriteLine($"{kills} kills; checkpoint reached before the final run: {Path.GetFileName(reached)}");
        Assert.That(reached, Is.Not.Null, "the kills let the run make progress");
        Assert.That(kills, Is.EqualTo(Kills), "the run finished before twenty kills; lengthen it");
        (code, _, stderr) = Run(Settings(killed));
        Assert.That(code, Is.EqualTo(0), stderr);

        TinyTraining.AssertSameMetrics(reference, killed);
    }

    private static Process Start(string cli, string[] args, ManualResetEventSlim iterating)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith("iteration ", StringComparison.Ordinal) == true) iterating.Set();
        };
        process.BeginOutputReadLine();
        return process;
    }
}
