using System.Text.Json;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests;

/// <summary><c>gigpo train</c> end to end on a tiny setup, and its configuration errors.</summary>
public sealed class TrainCommandTests : CliTestBase
{
    private string[] Tiny(string algorithm) => TinyTraining.Settings(algorithm, $"{Folder}/{{algorithm}}");

    [TestCase("gigpo")]
    [TestCase("grpo")]
    [TestCase("rloo")]
    [TestCase("reinforce_plus_plus")]
    [TestCase("ppo")]
    [Category("Slow")]
    public void Each_algorithm_trains_two_iterations_by_configuration_alone(string algorithm)
    {
        var (code, stdout, stderr) = Run(Tiny(algorithm));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("iteration 2:").And.Contain("finished:"));

        var run = Path.Combine(Folder, algorithm);
        foreach (var file in new[] { "metrics.csv", "metrics.jsonl" })
            Assert.That(File.ReadAllBytes(Path.Combine(run, file))[0], Is.Not.EqualTo(0xEF), $"{file} starts with a byte-order mark");
        var header = File.ReadLines(Path.Combine(run, "metrics.csv")).First().Split(',');
        Assert.That(header, Is.EqualTo(RunRecorder.IterationColumns));
        Assert.That(File.ReadLines(Path.Combine(run, "metrics.csv")).Count(), Is.EqualTo(3));
        var events = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString()).ToList();
        Assert.That(events, Is.EqualTo(new[] { "warm_start", "checkpoint", "iteration", "iteration", "evaluation", "checkpoint", "finished" }));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        foreach (var key in new[] { "algorithm", "environment", "seed", "iterations", "env_steps", "warm_start_success", "final_success", "wall_seconds", "peak_memory_mb" })
            Assert.That(summary.RootElement.TryGetProperty(key, out _), Is.True, key);
        Assert.That(summary.RootElement.GetProperty("algorithm").GetString(), Is.EqualTo(algorithm));
        Assert.That(File.Exists(Path.Combine(run, "summary.md")), Is.True);
        Assert.That(Directory.GetFiles(Path.Combine(run, "tensorboard"), "events.out.tfevents.*", SearchOption.AllDirectories), Is.Not.Empty);
        Assert.That(File.Exists(Path.Combine(run, "checkpoints", "final", "model.safetensors")), Is.True);
        Assert.That(File.Exists(Path.Combine(run, "checkpoints", "final", "config.json")), Is.True);

        // The effective configuration: core sections with defaults, the estimator's options, the environment's keys; the same in checkpoints.
        var configurationText = File.ReadAllText(Path.Combine(run, AgentTrainer.ConfigurationFileName));
        using var configuration = JsonDocument.Parse(configurationText);
        Assert.That(configuration.RootElement.GetProperty("Training").GetProperty("Algorithm").GetString(), Is.EqualTo(algorithm));
        Assert.That(configuration.RootElement.GetProperty("Update").GetProperty("ClipRatioC").GetDouble(), Is.EqualTo(3.0), "defaults are filled in");
        Assert.That(configuration.RootElement.GetProperty("Algorithms").TryGetProperty(algorithm, out var estimatorOptions), Is.True);
        Assert.That(estimatorOptions.TryGetProperty("InvalidActionPenaltyCoef", out _), Is.True, "the estimator's bound options, defaults included");
        if (algorithm == "gigpo") Assert.That(estimatorOptions.GetProperty("Mode").GetString(), Is.EqualTo("MeanNorm"));
        Assert.That(configuration.RootElement.GetProperty("Environments").TryGetProperty("sokoban", out _), Is.True);
        Assert.That(File.ReadAllText(Path.Combine(run, "checkpoints", "iter-000002", AgentTrainer.ConfigurationFileName)), Is.EqualTo(configurationText));
    }

    [TestCase(false)]
    [TestCase(true)]
    [Category("Slow")]
    public void A_run_interrupted_and_resumed_gives_the_same_metrics_as_an_uninterrupted_one(bool lora)
    {
        string[] Settings(string folder, int iterations) =>
        [
            .. Tiny("gigpo").Where(a => !a.StartsWith("--Training:OutputDirectory", StringComparison.Ordinal) && !a.StartsWith("--Training:Iterations", StringComparison.Ordinal)),
            $"--Training:OutputDirectory={folder}", $"--Training:Iterations={iterations}", "--Training:CheckpointInterval=1", "--Training:EvaluationInterval=0",
            .. lora ? new[] { "--Policy:Lora:Rank=4", "--Policy:Lora:TargetModules:0=q_proj", "--Policy:Lora:TargetModules:1=down_proj" } : [],
        ];
        var uninterrupted = Path.Combine(Folder, "a");
        var interrupted = Path.Combine(Folder, "b");
        Assert.That(Run(Settings(uninterrupted, 3)).Code, Is.EqualTo(0));
        Assert.That(Run(Settings(interrupted, 2)).Code, Is.EqualTo(0));
        var (code, stdout, stderr) = Run(Settings(interrupted, 3));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Not.Contain("warm start:").And.Contain("iteration 3:").And.Not.Contain("iteration 1:"), "it resumed after iteration 2");

        string[] Row(string folder, int iteration) => File.ReadLines(Path.Combine(folder, "metrics.csv")).Skip(iteration).First().Split(',');
        var deterministic = RunRecorder.IterationColumns.Select((c, i) => (c, i)).Where(p => !p.c.StartsWith("time_", StringComparison.Ordinal)
            && p.c != "advantage_time_share").ToList();
        foreach (var (column, index) in deterministic)
            Assert.That(Row(interrupted, 3)[index], Is.EqualTo(Row(uninterrupted, 3)[index]), column);
        Assert.That(File.ReadLines(Path.Combine(interrupted, "metrics.csv")).Count(), Is.EqualTo(4), "one row per iteration, none repeated");
        foreach (var checkpoint in new[] { Path.Combine(interrupted, "checkpoints", "final"), Path.Combine(interrupted, "checkpoints", "iter-000003", "policy") })
            Assert.That(File.Exists(Path.Combine(checkpoint, "adapter", "adapter_model.safetensors")), Is.EqualTo(lora), checkpoint);
        if (!lora) return;
        var merged = Path.Combine(Folder, "merged");
        (code, stdout, stderr) = Run("merge", "--checkpoint", Path.Combine(interrupted, "checkpoints", "final"), "--output", merged);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("Merged the adapter's 2 projections"));
        (code, stdout, stderr) = Run("eval", "--checkpoint", merged, "--tasks", "2", "--environment", "sokoban");
        Assert.That(code, Is.EqualTo(0), stderr);

        // The IChatClient sample plays a household episode with the checkpoint, its adapter merged on load.
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var arg in new[] { RepositoryFiles.SampleAssembly("ChatClient"), Path.Combine(interrupted, "checkpoints", "final"), "3" }) start.ArgumentList.Add(arg);
        using var sample = System.Diagnostics.Process.Start(start)!;
        var sampleOutput = sample.StandardOutput.ReadToEndAsync();
        var sampleErrors = sample.StandardError.ReadToEndAsync();
        if (!sample.WaitForExit(TimeSpan.FromMinutes(3))) sample.Kill(entireProcessTree: true);
        Assert.That(sample.ExitCode, Is.EqualTo(0), sampleErrors.Result + sampleOutput.Result);
        Assert.That(sampleOutput.Result, Does.StartWith("Task (").And.Contain("[1] "));
    }

    [Test]
    [Category("Slow")]
    public void A_run_that_starts_over_moves_the_earlier_runs_files_aside_instead_of_mixing_them_in()
    {
        var folder = Path.Combine(Folder, "run");
        static List<string?> Events(string folder) =>
            [.. File.ReadLines(Path.Combine(folder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("event").GetString())];
        string[] Earlier() => Directory.GetDirectories(Path.Combine(folder, RunRecorder.EarlierRunsFolder)).Order(StringComparer.Ordinal).ToArray();

        // What an attempt killed before its first checkpoint leaves: metric lines and TensorBoard files, no checkpoint to resume from.
        Directory.CreateDirectory(Path.Combine(folder, "tensorboard"));
        File.WriteAllText(Path.Combine(folder, "metrics.jsonl"), """{"event":"warm_start","iteration":0,"success_rate":0.5}""" + "\n");
        var (code, stdout, stderr) = Run(Checkpointed(folder, 1));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("warning: The run folder held an earlier run's files").And.Contain(RunRecorder.EarlierRunsFolder));
        Assert.That(Events(folder), Is.EqualTo(new[] { "warm_start", "checkpoint", "iteration", "evaluation", "checkpoint", "finished" }),
            "one run's events, none of the killed attempt's");
        var killed = Earlier().Single();
        Assert.That(File.ReadAllText(Path.Combine(killed, "metrics.jsonl")), Does.Contain("0.5"), "the killed attempt's lines are kept, not lost");
        Assert.That(Directory.Exists(Path.Combine(killed, "tensorboard")), Is.True);
        using (var first = JsonDocument.Parse(File.ReadLines(Path.Combine(folder, "metrics.jsonl")).First()))
            Assert.That(first.RootElement.GetProperty("warning").GetString(), Does.Contain(killed), "metrics.jsonl says where they went");

        // Training:Resume=false over a finished run: its checkpoints go aside too, so that a later resume cannot read them.
        (code, _, stderr) = Run([.. Checkpointed(folder, 1), "--Training:Resume=false"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        var finished = Earlier().Last();
        Assert.That(Earlier(), Has.Length.EqualTo(2));
        Assert.That(File.Exists(Path.Combine(finished, "summary.json")) && Directory.Exists(Path.Combine(finished, "checkpoints", "iter-000001")), Is.True);
        Assert.That(Events(folder), Is.EqualTo(new[] { "warm_start", "checkpoint", "iteration", "evaluation", "checkpoint", "finished" }));
    }

    private static string[] Checkpointed(string folder, int iterations) => TinyTraining.Checkpointed(folder, iterations);

    [Test]
    [Category("Slow")]
    public void A_run_that_fails_before_its_first_checkpoint_interval_resumes_after_the_warm_start()
    {
        // Checkpoints every 5 iterations, 3 iterations: without the checkpoint of iteration 0, a failure in iteration 1 or 2 would leave
        // none, and the next start would train the warm start again.
        string[] Settings(string folder) =>
        [
            .. Tiny("gigpo").Where(a => !a.StartsWith("--Training:OutputDirectory", StringComparison.Ordinal) && !a.StartsWith("--Training:Iterations", StringComparison.Ordinal)),
            $"--Training:OutputDirectory={folder}", "--Training:Iterations=3", "--Training:CheckpointInterval=5", "--Training:EvaluationInterval=0",
        ];
        var uninterrupted = Path.Combine(Folder, "a");
        var failed = Path.Combine(Folder, "b");
        Assert.That(Run(Settings(uninterrupted)).Code, Is.EqualTo(0));
        Assert.That(Run(Settings(failed)).Code, Is.EqualTo(0));
        var events = File.ReadLines(Path.Combine(failed, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Select(e => (Event: e.GetProperty("event").GetString(), Iteration: e.GetProperty("iteration").GetInt32())).ToList();
        Assert.That(events.Take(3), Is.EqualTo(new[] { ("warm_start", 0), ("checkpoint", 0), ("iteration", 1) }), "iteration 0 is saved before iteration 1 runs");
        Assert.That(Directory.GetDirectories(Path.Combine(failed, "checkpoints")).Select(Path.GetFileName),
            Is.EquivalentTo(new[] { "iter-000000", "iter-000003", "final", "base" }), "the interval's checkpoints, iteration 0 and the last");

        // What a failure in iteration 1 leaves: the run folder with iteration 0's checkpoint and nothing after it.
        foreach (var later in new[] { "iter-000003", "final" }) Directory.Delete(Path.Combine(failed, "checkpoints", later), recursive: true);
        File.Delete(Path.Combine(failed, "summary.json"));
        var (code, stdout, stderr) = Run(Settings(failed));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Not.Contain("warm start:").And.Contain("iteration 1:").And.Contain("iteration 3:"), "it resumed after the warm start");
        TinyTraining.AssertSameMetrics(uninterrupted, failed);
    }

    [Test]
    [Category("Slow")]
    public void A_save_killed_half_way_leaves_no_checkpoint_that_resuming_would_read()
    {
        var folder = Path.Combine(Folder, "run");
        Assert.That(Run(Checkpointed(folder, 2)).Code, Is.EqualTo(0));
        // What a kill during the save of iteration 3 leaves: a temporary folder with part of the files, never an iter-* folder with a manifest.
        var checkpoints = Path.Combine(folder, "checkpoints");
        var killed = Directory.CreateDirectory(Path.Combine(checkpoints, ".tmp-killed", "policy")).FullName;
        File.WriteAllBytes(Path.Combine(killed, "model.safetensors"), new byte[100]);
        Directory.CreateDirectory(Path.Combine(checkpoints, "iter-000003", "policy")); // a copy interrupted before its manifest

        var (code, stdout, stderr) = Run(Checkpointed(folder, 3));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("iteration 3:").And.Not.Contain("iteration 2:"), "resumed from iteration 2, the newest complete checkpoint");
        Assert.That(File.Exists(Path.Combine(checkpoints, "iter-000003", "manifest.json")), Is.True, "the new save replaced the incomplete folder");
        Assert.That(Directory.Exists(Path.Combine(checkpoints, ".tmp-killed")), Is.False, "the killed save's leftovers are cleaned up");
    }

    [Test]
    [Category("Slow")]
    public void A_checkpoint_that_cannot_be_written_fails_its_save_keeps_the_previous_one_and_training_goes_on()
    {
        var folder = Path.Combine(Folder, "run");
        var checkpoints = Directory.CreateDirectory(Path.Combine(folder, "checkpoints")).FullName;
        File.WriteAllText(Path.Combine(checkpoints, "iter-000002"), "a file where the checkpoint folder must go: the save fails like a full disk");
        var (code, stdout, stderr) = Run(Checkpointed(folder, 3));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("warning: the checkpoint of iteration 2 could not be saved").And.Contain("the previous checkpoint is kept"));
        Assert.That(stdout, Does.Contain("checkpoint of iteration 2 FAILED (the previous one is kept)").And.Contain("checkpoint of iteration 3 saved"));
        Assert.That(Directory.GetDirectories(checkpoints).Select(Path.GetFileName), Is.EquivalentTo(new[] { "iter-000000", "iter-000001", "iter-000003", "final", "base" }),
            "no temporary folder is left");
        var checkpointEvents = File.ReadLines(Path.Combine(folder, "metrics.jsonl")).Where(l => l.Contains("\"checkpoint\"", StringComparison.Ordinal))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(checkpointEvents.Select(e => e.GetProperty("saved").GetDouble()), Is.EqualTo(new[] { 1.0, 1.0, 0.0, 1.0 }), "iterations 0, 1, 2 and 3");
        Assert.That(checkpointEvents[2].GetProperty("warning").GetString(), Does.Contain("could not be saved"), "the warning is kept in metrics.jsonl");
        Assert.That(checkpointEvents[0].TryGetProperty("warning", out _), Is.False);
    }

    [Test]
    [Category("Slow")]
    public void A_cached_warm_start_gives_the_same_run_as_training_it()
    {
        var cache = Path.Combine(Folder, "cache");
        string[] Settings(string folder) => [.. Checkpointed(folder, 2), $"--WarmStart:CacheDirectory={cache}"];
        var (code, stdout, stderr) = Run(Settings(Path.Combine(Folder, "a")));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(Directory.GetDirectories(cache), Has.Length.EqualTo(1), "one entry");
        (code, stdout, stderr) = Run(Settings(Path.Combine(Folder, "b")));
        Assert.That(code, Is.EqualTo(0), stderr);

        static System.Text.Json.JsonElement WarmStart(string folder) =>
            System.Text.Json.JsonDocument.Parse(File.ReadLines(Path.Combine(folder, "metrics.jsonl")).First()).RootElement;
        Assert.That(WarmStart(Path.Combine(Folder, "b")).GetProperty("cached").GetDouble(), Is.EqualTo(1));
        Assert.That(WarmStart(Path.Combine(Folder, "b")).GetProperty("success_rate").GetDouble(),
            Is.EqualTo(WarmStart(Path.Combine(Folder, "a")).GetProperty("success_rate").GetDouble()));
        string[] Rows(string folder) => [.. File.ReadLines(Path.Combine(folder, "metrics.csv")).Skip(1)
            .Select(l => string.Join(',', l.Split(',').Where((_, i) => !RunRecorder.IterationColumns[i].StartsWith("time_", StringComparison.Ordinal)
                && RunRecorder.IterationColumns[i] != "advantage_time_share")))];
        Assert.That(Rows(Path.Combine(Folder, "b")), Is.EqualTo(Rows(Path.Combine(Folder, "a"))), "the RL stage is identical");
    }

    [Test]
    [Category("Slow")]
    public async Task A_run_that_needs_a_warm_start_another_run_is_training_waits_for_it_and_loads_it()
    {
        var cache = Path.Combine(Folder, "cache");
        string[] Settings(string folder) => [.. Checkpointed(folder, 2), $"--WarmStart:CacheDirectory={cache}"];
        var (code, _, stderr) = Run(Settings(Path.Combine(Folder, "a")));
        Assert.That(code, Is.EqualTo(0), stderr);
        var entry = Directory.GetDirectories(cache).Single();
        var turn = entry + ".lock";
        Assert.That(File.Exists(turn), Is.True, "the run took its turn on the entry");

        // Another run is training the same warm start: it holds the turn and the entry is not stored yet.
        var aside = Path.Combine(Folder, "aside");
        Directory.Move(entry, aside);
        Task<(int Code, string Stdout, string Stderr)> waiting;
        using (new FileStream(turn, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            waiting = Task.Run(() => Run(Settings(Path.Combine(Folder, "b"))));
            await Task.Delay(TimeSpan.FromSeconds(5));
            Assert.That(waiting.IsCompleted, Is.False, "the second run waits for the turn");
            Directory.Move(aside, entry); // the other run stores the entry and ends its turn
        }
        (code, var stdout, stderr) = await waiting;
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith("Run folder").And.Contain("waiting for another run to finish training the same warm start"), "the wait is visible");
        var events = File.ReadLines(Path.Combine(Folder, "b", "metrics.jsonl")).Take(2).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
        Assert.That(events[0].GetProperty("event").GetString(), Is.EqualTo("waiting_for_warm_start"));
        Assert.That(events[1].GetProperty("event").GetString(), Is.EqualTo("warm_start"));
        Assert.That(events[1].GetProperty("cached").GetDouble(), Is.EqualTo(1), "it loaded the warm start the other run stored instead of training its own");
    }

    [Test]
    [Category("Slow")]
    public void An_environment_step_budget_stops_training_after_the_iteration_that_reaches_it()
    {
        var folder = Path.Combine(Folder, "run");
        var (code, stdout, stderr) = Run([.. Checkpointed(folder, 10), "--Training:EnvironmentStepBudget=13", "--Training:CheckpointInterval=0"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var iterations = summary.RootElement.GetProperty("iterations").GetInt32();
        var steps = File.ReadLines(Path.Combine(folder, "metrics.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[Array.IndexOf(RunRecorder.IterationColumns, "env_steps")],
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(iterations, Is.LessThan(10).And.EqualTo(steps.Count));
        Assert.That(steps[^1], Is.GreaterThanOrEqualTo(13));
        Assert.That(steps.Take(steps.Count - 1), Is.All.LessThan(13));
        Assert.That(stdout, Does.Contain($"evaluation after iteration {iterations}").And.Contain($"checkpoint of iteration {iterations} saved"));
    }

    [Test]
    public void A_corrupted_or_mismatched_checkpoint_is_refused_clearly()
    {
        var folder = Path.Combine(Folder, "run");
        string[] Settings(string algorithm) =>
        [
            .. Tiny(algorithm).Where(a => !a.StartsWith("--Training:OutputDirectory", StringComparison.Ordinal) && !a.StartsWith("--Training:Iterations",
                StringComparison.Ordinal)),
            $"--Training:OutputDirectory={folder}", "--Training:Iterations=1", "--Training:EvaluationInterval=0",
        ];
        Assert.That(Run(Settings("gigpo")).Code, Is.EqualTo(0));
        var mismatch = Run(Settings("grpo"));
        Assert.That(mismatch.Code, Is.EqualTo(2));
        Assert.That(mismatch.Stderr, Does.Contain("holds a checkpoint of gigpo on sokoban with seed 1").And.Contain("Training:Resume=false"));

        var weights = Path.Combine(folder, "checkpoints", "iter-000001", "policy", "model.safetensors");
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var corrupted = Run(Settings("gigpo"));
        Assert.That(corrupted.Code, Is.EqualTo(1));
        Assert.That(corrupted.Stderr, Does.Contain("is corrupted: policy/model.safetensors does not match its hash"));
    }

    [Test]
    public void A_changed_setting_refuses_to_resume_naming_both_values_and_a_longer_run_resumes()
    {
        var folder = Path.Combine(Folder, "run");
        string[] Settings(params string[] more) =>
        [
            .. Tiny("gigpo").Where(a => !a.StartsWith("--Training:OutputDirectory", StringComparison.Ordinal) && !a.StartsWith("--Training:Iterations",
                StringComparison.Ordinal) && !a.StartsWith("--Update:LearningRate", StringComparison.Ordinal)),
            $"--Training:OutputDirectory={folder}", "--Training:EvaluationInterval=0", .. more,
        ];
        Assert.That(Run(Settings("--Training:Iterations=1", "--Update:LearningRate=0.001")).Code, Is.EqualTo(0));
        var metrics = File.ReadAllText(Path.Combine(folder, "metrics.jsonl"));

        var (code, stdout, stderr) = Run(Settings("--Training:Iterations=2", "--Update:LearningRate=0.0001", "--Rollout:HistoryLength=2"));
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr, Does.Contain("Update:LearningRate was 0.001, is now 0.0001").And.Contain("Rollout:HistoryLength was 1, is now 2")
            .And.Contain("Training:Resume=false").And.Contain("another Training:OutputDirectory"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "metrics.jsonl")), Is.EqualTo(metrics), "nothing was written");

        (code, stdout, stderr) = Run(Settings("--Training:Iterations=2", "--Update:LearningRate=0.001", "--Backend:Threads=1", "--Training:KeepCheckpoints=1"));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("iteration 2:").And.Not.Contain("iteration 1:"), "more iterations and fewer threads resume");
    }

    [TestCase("--Training:Algorithm=gipgo", "'gipgo' is not a registered advantage estimator")]
    [TestCase("--Training:Environment=alfworld", "'alfworld' is not a registered environment")]
    [TestCase("--Training:Iteratons=3", "Training:Iteratons is not a known setting")]
    [TestCase("--Training:Groups=0", "Training:Groups = 0 must be at least 1.")]
    [TestCase("--Training:GroupSize=1", "'gigpo' compares the trajectories of a group, so it needs at least 2.")]
    [TestCase("--Update:ClipRatioC=0.5", "Update:ClipRatioC = 0.5 must be greater than 1.")]
    [TestCase("--Rollout:TopP=0", "Rollout:TopP = 0 must be in (0, 1].")]
    [TestCase("--Policy:Heads=3", "Policy: Heads must be a multiple of KeyValueHeads")]
    [TestCase("--Backend:Devcie=cpu", "Backend:Devcie is not a known setting")]
    public void Configuration_errors_exit_2_with_one_clear_message_before_any_work(string setting, string expected)
    {
        var (code, stdout, stderr) = Run("train", setting, $"--Training:OutputDirectory={Folder}/run");
        Assert.That(code, Is.EqualTo(2), stderr + stdout);
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(Directory.Exists(Path.Combine(Folder, "run")), Is.False, "nothing was started");
    }

    [Test]
    [Category("Slow")]
    public void A_run_under_GC_stress_finishes_with_the_metrics_of_a_run_without_it()
    {
        // Backend:GcStress makes any unheld TorchSharp temporary fail at once; a clean run shows the whole training path holds them.
        // It runs in a process of its own: the stress thread lasts as long as the process.
        var plain = Path.Combine(Folder, "plain");
        var stressed = Path.Combine(Folder, "stressed");
        Assert.That(Run(TinyTraining.Settings("gigpo", plain)).Code, Is.EqualTo(0));
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "gigpo.dll"));
        foreach (var arg in TinyTraining.Settings("gigpo", stressed)) start.ArgumentList.Add(arg);
        start.ArgumentList.Add("--Backend:GcStress=true");
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.That(process.ExitCode, Is.EqualTo(0), stderr + output.Result);
        TinyTraining.AssertSameMetrics(plain, stressed);
    }
}
