namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// <c>--Plugins:N</c>: a user's assembly, loaded into its own load context, registers estimators, environments and policies that every
/// verb then sees by name; an assembly that cannot be one is refused before any work with one line naming it.
/// </summary>
public sealed class PluginTests : CliTestBase
{
    private static string CustomEstimator => RepositoryFiles.SampleAssembly("CustomEstimator");

    private static string CustomEnvironment => RepositoryFiles.SampleAssembly("CustomEnvironment");

    [Test]
    public void A_missing_plugin_exits_2_with_one_line_naming_the_path()
    {
        var (code, stdout, stderr) = Run("train", "--Plugins:0=/no/such.dll", $"--Training:OutputDirectory={Folder}/run");
        Assert.That(code, Is.EqualTo(2), stderr + stdout);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.Contain("'/no/such.dll'").And.Contain("does not exist"));
        Assert.That(Directory.Exists(Path.Combine(Folder, "run")), Is.False, "no work was done");
    }

    [Test]
    public void An_assembly_without_an_entry_point_is_refused()
    {
        var assembly = typeof(GiGpoNet.Hosting.Training.AgentTrainer).Assembly.Location; // GiGpoNet.Hosting.dll has no IGiGpoNetPlugin
        var (code, _, stderr) = Run("train", $"--Plugins:0={assembly}");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(assembly).And.Contain("has no entry point").And.Contain("IGiGpoNetPlugin"));
    }

    [Test]
    public void A_file_that_is_not_an_assembly_is_refused()
    {
        var file = Path.Combine(Folder, "notes.dll");
        File.WriteAllText(file, "not a portable executable");
        var (code, _, stderr) = Run("advantages", $"--Plugins:0={file}", "--input", file, "--output", Path.Combine(Folder, "out.jsonl"));
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(file).And.Contain("is not a .NET assembly"));
    }

    [Test]
    public void The_custom_estimator_sample_is_a_plugin_that_trains_from_the_cli()
    {
        var run = Path.Combine(Folder, "run");
        var (code, stdout, stderr) = Run([.. TinyTraining.Settings("time_aligned", run), $"--Plugins:0={CustomEstimator}"]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var summary = File.ReadAllText(Path.Combine(run, "summary.json"));
        Assert.That(summary, Does.Contain("\"algorithm\": \"time_aligned\""));
        Assert.That(File.ReadAllLines(Path.Combine(run, "metrics.csv")), Has.Length.EqualTo(3), "a header and two iterations");
        Assert.That(File.ReadAllText(Path.Combine(run, "configuration.json")), Does.Contain("\"time_aligned\"").And.Contain("InvalidActionPenaltyCoef"),
            "the plugin estimator's options are recorded like a built-in's");
    }

    [Test]
    public void A_plugin_estimator_is_held_to_its_own_minimum_group_size()
    {
        var (code, _, stderr) = Run([.. TinyTraining.Settings("time_aligned", Path.Combine(Folder, "run")), "--Training:GroupSize=1", $"--Plugins:0={CustomEstimator}"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("Training:GroupSize = 1: 'time_aligned' compares the trajectories of a group, so it needs at least 2."));
    }

    [Test]
    public void The_custom_environment_sample_warm_starts_and_trains_as_a_plugin_and_its_scripted_policy_is_evaluated()
    {
        var run = Path.Combine(Folder, "run");
        string[] environment = [$"--Plugins:0={CustomEnvironment}", "--Training:Environment=treasure_rooms", "--Rollout:ConstrainToAdmissibleActions=true"];
        var (code, stdout, stderr) = Run([.. TinyTraining.Settings("gigpo", run).Where(a => !a.StartsWith("--Training:Environment", StringComparison.Ordinal)),
            .. environment, "--WarmStart:Episodes=8", "--Rollout:MaxSteps=12"]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("warm start: ").And.Contain("expert steps"));
        Assert.That(File.ReadAllText(Path.Combine(run, "summary.json")), Does.Contain("\"environment\": \"treasure_rooms\""));

        (code, stdout, stderr) = Run(["eval", "--policy", "random_explorer", "--tasks", "16", .. environment]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("treasure_rooms, validation, 16 tasks:").And.Contain("success_rate/near"));

        (code, _, stderr) = Run(["eval", "--policy", "random_explorer", "--checkpoint", Path.Combine(run, "checkpoints", "final"), .. environment]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("either --checkpoint").And.Contain("not both"));
    }

    [TestCase("public BrokenPlugin() => throw new InvalidOperationException(\"no licence file found\");", "InvalidOperationException: no licence file found")]
    [TestCase("static readonly int Seed = int.Parse(\"x\"); public BrokenPlugin() { _ = Seed; }", "FormatException")]
    public void A_plugin_whose_constructor_or_static_initializer_throws_is_reported_with_the_cause(string members, string cause)
    {
        var source = $$"""
            using System;
            public sealed class BrokenPlugin : GiGpoNet.Plugins.IGiGpoNetPlugin
            {
                {{members}}
                public void Register(Microsoft.Extensions.DependencyInjection.IGiGpoNetBuilder builder) { }
            }
            """;
        var references = new[] { typeof(object), typeof(GiGpoNet.Plugins.IGiGpoNetPlugin), typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection) }
            .Select(t => t.Assembly.Location)
            .Concat(Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System.Runtime.dll"))
            .Distinct().Select(p => Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(p));
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("BrokenPlugin" + Guid.NewGuid().ToString("N"),
            [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source)], references,
            new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary));
        var plugin = Path.Combine(Folder, "BrokenPlugin.dll");
        Microsoft.CodeAnalysis.Emit.EmitResult emitted;
        using (var file = File.Create(plugin)) emitted = compilation.Emit(file);
        Assert.That(emitted.Success, Is.True, string.Join("\n", emitted.Diagnostics));

        var (code, _, stderr) = Run("train", $"--Plugins:0={plugin}", $"--Training:OutputDirectory={Folder}/run");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(plugin).And.Contain("creating its BrokenPlugin failed").And.Contain(cause));
        Assert.That(stderr, Does.Not.Contain("Exception has been thrown by the target of an invocation"));
    }

    [Test]
    public void A_plugin_environment_keeps_its_own_step_limit_under_the_repository_settings()
    {
        // appsettings.json trains household; household's 30-step horizon lives in appsettings.household.json, so treasure_rooms keeps its 12.
        string[] common = ["eval", "--policy", "random_explorer", "--tasks", "16", "--settings", Path.Combine(RepositoryFiles.Root, "appsettings.json"),
            $"--Plugins:0={CustomEnvironment}", "--environment", "treasure_rooms"];
        var (code, stdout, stderr) = Run(common);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var ownLimit = EpisodeLengthMean(stdout);
        (code, stdout, stderr) = Run([.. common, "--Rollout:MaxSteps=30"]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(ownLimit, Is.LessThanOrEqualTo(12));
        Assert.That(EpisodeLengthMean(stdout), Is.GreaterThan(ownLimit), "a limit the user sets for the run still applies");
    }

    private static double EpisodeLengthMean(string evalOutput) => double.Parse(evalOutput.Split('\n')
        .Single(l => l.TrimStart().StartsWith("episode_length_mean", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public void The_learner_is_no_policy_outside_training()
    {
        var (code, _, stderr) = Run("eval", "--policy", "learner");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("exists only in a training run"));
    }

    [Test]
    [Category("Slow")]
    public void The_samples_grid_compares_the_plugin_estimator_with_gigpo_and_grpo_through_gigpo_ablate()
    {
        var grid = Path.Combine(RepositoryFiles.Root, "samples", "ablations", "custom-estimator-treasure-rooms.json");
        var output = Path.Combine(Folder, "grid");
        var (code, stdout, stderr) = Run("ablate", "--grid", grid, "--output", output);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("6/6 cells finished").And.Contain("0 failed"));
        var report = File.ReadAllText(Path.Combine(output, "results.md"));
        foreach (var row in new[] { "| time-aligned (plugin) | 2/2 |", "| GiGPO | 2/2 |", "| GRPO | 2/2 |" }) Assert.That(report, Does.Contain(row));
    }
}
