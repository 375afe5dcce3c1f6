using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace GiGpoNet.Hosting.Tests;

/// <summary><c>gigpo train</c> on a remote environment (<c>RemoteEnvironments:&lt;name&gt;</c>) served by <c>gigpo serve-env</c> in another process.</summary>
[Category("Slow")]
public sealed class RemoteEnvironmentTrainingTests : CliTestBase
{
    [Test]
    public async Task A_serve_env_killed_mid_run_and_restarted_fails_the_trajectories_in_flight_and_the_run_goes_on()
    {
        // A policy to start from (a remote environment has no expert to warm-start on): a tiny sokoban run's checkpoint.
        var (code, _, stderr) = Run(TinyTraining.Settings("gigpo", Path.Combine(Folder, "seed")));
        Assert.That(code, Is.EqualTo(0), stderr);
        var server = await CliServerProcess.StartEnvironmentServerAsync("sokoban");
        var run = Path.Combine(Folder, "remote");
        string[] settings =
        [
            .. TinyTraining.Settings("gigpo", run).Where(a => !a.StartsWith("--Training:Iterations", StringComparison.Ordinal) && !a.StartsWith("--Rollout:MaxSteps",
                StringComparison.Ordinal)),
            "--Training:Iterations=10", "--Rollout:MaxSteps=12", "--Training:Environment=box-server", "--WarmStart:Episodes=0",
            $"--Policy:Path={Path.Combine(Folder, "seed", "checkpoints", "final")}",
            $"--RemoteEnvironments:box-server:BaseAddress={server.RootAddress}", "--RemoteEnvironments:box-server:Environment=sokoban",
            "--RemoteEnvironments:box-server:Retries=4", "--RemoteEnvironments:box-server:RetryDelay=00:00:00.5",
        ];
        var training = Task.Run(() => Run(settings));

        var metrics = Path.Combine(run, "metrics.jsonl");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Any(l => l.Contains("\"event\":\"iteration\"", StringComparison.Ordinal))))
        {
            Assert.That(training.IsCompleted, Is.False, $"the run ended before its first iteration: {(training.IsCompleted ? training.Result.Stderr : "")}");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(5)));
            await Task.Delay(10);
        }
        var port = server.Port;
        await server.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var restarted = await CliServerProcess.StartEnvironmentServerAsync("sokoban", port);

        (code, var stdout, stderr) = await training;
        Assert.That(code, Is.EqualTo(0), $"{stderr}\n{stdout}\n{restarted.Log}");
        var iterations = File.ReadAllLines(metrics).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "iteration").ToList();
        Assert.That(iterations, Has.Count.EqualTo(10), "every iteration ran");
        var failures = iterations.Select(e => e.GetProperty("env_failures").GetDouble()).ToList();
        TestContext.Out.WriteLine("env_failures per iteration: " + string.Join(", ", failures.Select(f => f.ToString(CultureInfo.InvariantCulture))));
        Assert.That(failures.Sum(), Is.GreaterThan(0), "the trajectories in flight when the server died are failed");
        Assert.That(failures[^1], Is.Zero, "the last rollout ran on the restarted server");
        Assert.That(File.Exists(Path.Combine(run, "summary.json")), Is.True);
    }

    /// <summary>
    /// A remote-environment run's configuration.json holds its <c>RemoteEnvironments</c> section, so <c>--settings</c> with it trains the same
    /// run; the server's address is where the environment is, not what it computes: a run resumes against a server on another port.
    /// </summary>
    [Test]
    public async Task A_remote_environment_run_is_reproduced_from_its_own_configuration_and_resumes_against_a_moved_server()
    {
        var (code, _, stderr) = Run(TinyTraining.Settings("gigpo", Path.Combine(Folder, "seed")));
        Assert.That(code, Is.EqualTo(0), stderr);
        var run = Path.Combine(Folder, "remote");
        string[] Settings(string address, int iterations) =>
        [
            .. TinyTraining.Checkpointed(run, iterations), "--Training:Environment=box-server", "--WarmStart:Episodes=0",
            $"--Policy:Path={Path.Combine(Folder, "seed", "checkpoints", "final")}",
            $"--RemoteEnvironments:box-server:BaseAddress={address}", "--RemoteEnvironments:box-server:Environment=sokoban",
            "--RemoteEnvironments:box-server:ApiKey=secret",
        ];
        await using (var server = await CliServerProcess.StartEnvironmentServerAsync("sokoban"))
        {
            (code, _, stderr) = Run(Settings(server.RootAddress, 2));
            Assert.That(code, Is.EqualTo(0), stderr);
        }
        var configuration = File.ReadAllText(Path.Combine(run, "configuration.json"));
        Assert.That(configuration, Does.Contain("\"RemoteEnvironments\"").And.Contain("\"Environment\": \"sokoban\"").And.Not.Contain("secret"),
            "the remote environment's settings are in the file, its API key is not");

        await using var moved = await CliServerProcess.StartEnvironmentServerAsync("sokoban");
        var again = Path.Combine(Folder, "again");
        (code, _, stderr) = Run("train", "--settings", Path.Combine(run, "configuration.json"), $"--Training:OutputDirectory={again}",
            $"--RemoteEnvironments:box-server:BaseAddress={moved.RootAddress}");
        Assert.That(code, Is.EqualTo(0), stderr);
        TinyTraining.AssertSameMetrics(run, again);

        (code, var stdout, stderr) = Run(Settings(moved.RootAddress, 3));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("iteration 3:").And.Not.Contain("iteration 1:"), "resumed from iteration 2 against the moved server");
    }
}
