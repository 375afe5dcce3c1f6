using System.Diagnostics;

namespace GiGpoNet.Hosting.Tests;

/// <summary>The sample adds an estimator without touching src/, selects it from its own appsettings.json, and trains with it.</summary>
public sealed class CustomEstimatorSampleTests
{
    private static (int Code, string Output) RunSample(params string[] args)
    {
        // The test project references the sample for build order only; run the sample's own build output.
        var sample = RepositoryFiles.SampleAssembly("CustomEstimator");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(sample);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill(entireProcessTree: true);
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Test]
    public void The_sample_selects_its_own_estimator_from_configuration()
    {
        var (code, output) = RunSample("compare");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Selected by configuration: time_aligned."));
        Assert.That(output, Does.Contain("Registered: gigpo, grpo, ppo, reinforce_plus_plus, reinforce_plus_plus_baseline, rloo, time_aligned."));
        // 27 rows in the sample file, 2 of them inactive: one table line per active row.
        Assert.That(output.Split('\n').Count(l => l.StartsWith("t0-") || l.StartsWith("t1-")), Is.EqualTo(25));
    }

    [Test]
    public void The_host_written_in_code_trains_with_the_estimator_it_registered()
    {
        var run = Path.Combine(Path.GetTempPath(), "gigpo-sample-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, output) = RunSample($"--Training:OutputDirectory={run}", "--Training:Iterations=2", "--WarmStart:Episodes=4", "--Training:EvaluationTasks=2");
            Assert.That(code, Is.EqualTo(0), output);
            Assert.That(output, Does.Contain("Training time_aligned into").And.Contain("iteration      2"));
            Assert.That(File.ReadAllText(Path.Combine(run, "summary.json")), Does.Contain("\"algorithm\": \"time_aligned\""));

            // The decorated training step: every iteration's line in metrics.jsonl carries the wrapper's metric beside the built-in ones.
            var iterations = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
                .Where(e => e.GetProperty("event").GetString() == "iteration").ToList();
            Assert.That(iterations, Has.Count.EqualTo(2));
            foreach (var iteration in iterations)
            {
                Assert.That(iteration.GetProperty("sample/iteration_wall_s").GetDouble(), Is.GreaterThan(0), "the wrapper timed the built-in step");
                Assert.That(iteration.GetProperty("success_rate").GetDouble(), Is.InRange(0, 1), "and the built-in step's metrics are all there");
            }
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        }
    }

    [Test]
    public void Its_options_are_validated_at_start_up_like_the_built_in_ones()
    {
        var (code, output) = RunSample("--Algorithms:time_aligned:Gamma=-2");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("Algorithms:time_aligned:Gamma = -2 must be a finite number of 0 or more"));
    }

    [Test]
    public void Any_registered_name_can_be_selected_from_the_command_line()
    {
        var (code, output) = RunSample("compare", "--Training:Algorithm=GRPO");
        Assert.That(code, Is.EqualTo(0), output);
        Assert.That(output, Does.Contain("Selected by configuration: GRPO."));
    }
}
