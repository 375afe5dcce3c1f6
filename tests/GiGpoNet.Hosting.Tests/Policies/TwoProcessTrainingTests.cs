using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace GiGpoNet.Hosting.Tests.Policies;

/// <summary>
/// <c>gigpo train --Training:Policy=openai</c> against <c>gigpo serve-policy</c> in another process over loopback HTTP: with and without
/// LoRA, beside the same run in process; and a server killed and restarted mid-run.
/// </summary>
[Category("Slow")]
public sealed class TwoProcessTrainingTests : CliTestBase
{
    private const int IterationCount = 4;

    private string Cache => Path.Combine(Folder, "warm-start-cache");

    /// <summary>The tiny run's settings, <see cref="IterationCount"/> iterations, one warm start shared by every run of the test.</summary>
    private string[] Settings(string run, params string[] more) =>
    [
        .. TinyTraining.Settings("gigpo", Path.Combine(Folder, run)).Where(a => !a.StartsWith("--Training:Iterations", StringComparison.Ordinal)),
        $"--Training:Iterations={IterationCount}", "--Training:EvaluationInterval=2", $"--WarmStart:CacheDirectory={Cache}", .. more,
    ];

    private static readonly string[] Lora = ["--Policy:Lora:Rank=4", "--Policy:Lora:Alpha=8"];

    private static string[] Remote(CliServerProcess server, params string[] more) =>
        ["--Training:Policy=openai", $"--Policies:openai:BaseAddress={server.BaseAddress}", "--Policies:openai:Model=final", "--Update:RolloutIsThreshold=2", .. more];

    [Test]
    public async Task Training_against_serve_policy_syncs_before_every_rollout_and_its_log_probs_match_the_learners_with_and_without_lora()
    {
        var (code, _, stderr) = Run(Settings("in-process"));
        Assert.That(code, Is.EqualTo(0), stderr);
        await using var server = await CliServerProcess.StartPolicyServerAsync(Path.Combine(Folder, "in-process", "checkpoints", "final"));

        var runs = new Dictionary<string, string[]>
        {
            ["full"] = Remote(server),
            ["lora"] = Remote(server, Lora),
            ["no-sync"] = Remote(server, "--Policies:openai:WeightSync=None"), // the control: what the figures look like when the weights differ
        };
        foreach (var (name, arguments) in runs)
        {
            (code, var stdout, stderr) = Run(Settings(name, arguments));
            Assert.That(code, Is.EqualTo(0), $"{name}: {stderr}\n{stdout}\n{server.Log}");
        }

        TestContext.Out.WriteLine("iteration | success: in-process | full sync | LoRA sync | no sync | mismatch_kl: full | LoRA | no sync");
        var curves = new[] { "in-process", "full", "lora", "no-sync" }.ToDictionary(r => r, r => Iterations(Path.Combine(Folder, r)));
        for (var i = 0; i < IterationCount; i++)
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1} | {curves["in-process"][i]["success_rate"]:0.000} | " +
                $"{curves["full"][i]["success_rate"]:0.000} | {curves["lora"][i]["success_rate"]:0.000} | {curves["no-sync"][i]["success_rate"]:0.000} | " +
                $"{curves["full"][i]["mismatch/mismatch_kl"]:0.0e0} | {curves["lora"][i]["mismatch/mismatch_kl"]:0.0e0} | {curves["no-sync"][i]["mismatch/mismatch_kl"]:0.0e0}"));

        foreach (var name in new[] { "full", "lora" })
            foreach (var (iteration, index) in curves[name].Select((m, i) => (m, i + 1)))
            {
                Assert.That(iteration["time_weight_sync_s"], Is.GreaterThan(0), $"{name}, iteration {index}: the weights went to the server");
                Assert.That(iteration["mismatch/rollout_is_mean"], Is.EqualTo(1).Within(1e-3), $"{name}, iteration {index}: the same weights on both sides");
                Assert.That(Math.Abs(iteration["mismatch/mismatch_kl"]), Is.LessThan(1e-4), $"{name}, iteration {index}");
                Assert.That(iteration["env_failures"], Is.Zero, $"{name}, iteration {index}");
            }
        // Without the sync the server keeps the checkpoint it started on while the learner moves: the same figures show it.
        Assert.That(curves["no-sync"].Max(m => Math.Abs(m["mismatch/mismatch_kl"])), Is.GreaterThan(100 * curves["full"].Max(m => Math.Abs(m["mismatch/mismatch_kl"]))));

        // The openai run's own configuration.json holds Policies:openai and reproduces it, as the server's sync leaves it at each step.
        await using var again = await CliServerProcess.StartPolicyServerAsync(Path.Combine(Folder, "in-process", "checkpoints", "final"));
        var recorded = Path.Combine(Folder, "full", "configuration.json");
        Assert.That(File.ReadAllText(recorded), Does.Contain("\"Policies\"").And.Contain("\"openai\"").And.Contain("\"Model\": \"final\""));
        (code, _, stderr) = Run("train", "--settings", recorded, $"--Training:OutputDirectory={Path.Combine(Folder, "full-again")}",
            $"--Policies:openai:BaseAddress={again.BaseAddress}");
        Assert.That(code, Is.EqualTo(0), $"{stderr}\n{again.Log}");
        TinyTraining.AssertSameMetrics(Path.Combine(Folder, "full"), Path.Combine(Folder, "full-again"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_server_killed_mid_run_and_restarted_on_its_address_costs_the_trajectories_in_flight_and_the_run_goes_on(bool lora)
    {
        var (code, _, stderr) = Run(Settings("seed"));
        Assert.That(code, Is.EqualTo(0), stderr);
        var checkpoint = Path.Combine(Folder, "seed", "checkpoints", "final");
        var server = await CliServerProcess.StartPolicyServerAsync(checkpoint);
        var run = Path.Combine(Folder, "remote");
        // One quick retry: the prompts in flight fail while the server is down; the next sync waits for it to come back.
        string[] remote = [.. Remote(server, "--Policies:openai:Retries=1", "--Policies:openai:RetryDelayMilliseconds=200"), .. lora ? Lora : []];
        var training = Task.Run(() => Run(Settings("remote", remote)
            .Select(a => a.StartsWith("--Training:Iterations", StringComparison.Ordinal) ? "--Training:Iterations=8" : a).ToArray()));

        // Kill it once the first iteration is recorded (the run is then in its next sync or rollout), and start it again a second later.
        var metrics = Path.Combine(run, "metrics.jsonl");
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(metrics) && File.ReadAllLines(metrics).Any(l => l.Contains("\"event\":\"iteration\"", StringComparison.Ordinal))))
        {
            Assert.That(training.IsCompleted, Is.False, "the run ended before its first iteration");
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(5)));
            await Task.Delay(20);
        }
        var port = server.Port;
        await server.DisposeAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var restarted = await CliServerProcess.StartPolicyServerAsync(checkpoint, port);

        (code, var stdout, stderr) = await training;
        Assert.That(code, Is.EqualTo(0), $"{stderr}\n{stdout}\n{restarted.Log}");
        var iterations = Iterations(run);
        Assert.That(iterations, Has.Count.EqualTo(8), "every iteration ran");
        TestContext.Out.WriteLine($"{(lora ? "LoRA" : "full")} sync; iteration | env_failures | success | time_weight_sync_s");
        foreach (var (m, i) in iterations.Select((m, i) => (m, i + 1)))
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i} | {m["env_failures"]} | {m["success_rate"]:0.000} | {m["time_weight_sync_s"]:0.000}"));
        Assert.That(iterations[^1]["env_failures"], Is.Zero, "the last rollout ran on the restarted server");
        Assert.That(Math.Abs(iterations[^1]["mismatch/mismatch_kl"]), Is.LessThan(1e-4), "the restarted server got the learner's weights at the next sync");
    }

    /// <summary>Each iteration's numeric metrics, from the run's metrics.jsonl.</summary>
    private static List<Dictionary<string, double>> Iterations(string run) =>
    [
        .. File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.GetProperty("event").GetString() == "iteration")
            .Select(e => e.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble())),
    ];
}
