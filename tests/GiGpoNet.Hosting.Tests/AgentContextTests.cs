using System.Diagnostics;
using System.Globalization;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Environments.Household;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML.Data;

namespace GiGpoNet.Hosting.Tests;

/// <summary>The ML.NET-style front door: catalogs of what is registered, typed options checked where they are built, and runs, evaluations
/// and grids that are the CLI's to the bit.</summary>
public sealed class AgentContextTests : CliTestBase
{
    /// <summary>TinyTraining's run, described in C#.</summary>
    private static Task<TrainedAgent> TrainTiny(AgentContext agents, string folder, AlgorithmChoice? algorithm = null) =>
        agents.TrainAsync(algorithm ?? agents.Algorithms.GiGpo(), agents.Environments.Sokoban(), TinyPolicy(agents), s => Tiny(s, folder));

    private static PolicyChoice TinyPolicy(AgentContext agents) => agents.Policies.FromScratch(o =>
        (o.Layers, o.HiddenSize, o.IntermediateSize, o.Heads, o.KeyValueHeads) = (1, 32, 64, 2, 1));

    private static void Tiny(RunSettings s, string? folder)
    {
        (s.Training.Iterations, s.Training.Groups, s.Training.GroupSize, s.Training.EvaluationTasks) = (2, 2, 2, 2);
        if (folder is not null) s.Training.OutputDirectory = folder;
        (s.WarmStart.Episodes, s.WarmStart.Epochs) = (2, 1);
        (s.Rollout.MaxSteps, s.Rollout.MaxNewTokens, s.Rollout.RequireThinkTags) = (3, 6, false);
        (s.Update.MiniBatchSize, s.Update.MicroBatchSize, s.Update.LearningRate) = (8, 4, 0.001);
    }

    private static readonly string[] TinyRollout = ["--Rollout:MaxSteps=3", "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false"];

    [Test]
    public void The_catalogs_list_every_registered_part_plugins_and_own_registrations_included()
    {
        var agents = new AgentContext(plugins: [RepositoryFiles.SampleAssembly("CustomEstimator")],
            register: b => b.AddAdvantageEstimator<GrpoAdvantageEstimator, GrpoOptions>("my_grpo"));
        Assert.That(agents.Algorithms.Names, Is.EqualTo(new[] { "gigpo", "grpo", "my_grpo", "ppo", "reinforce_plus_plus", "reinforce_plus_plus_baseline", "rloo",
            "time_aligned" }));
        Assert.That(agents.Environments.Names, Is.SupersetOf(new[] { "household", "search", "shop", "sokoban" }));
        Assert.That(agents.Algorithms.Get("time_aligned").Name, Is.EqualTo("time_aligned"));
        Assert.That(agents.Algorithms.Get<GrpoOptions>("MY_GRPO", o => o.Epsilon = 1e-3).Settings,
            Is.EqualTo(new Dictionary<string, string> { ["Algorithms:my_grpo:Epsilon"] = "0.001" }));
        var unknown = Assert.Throws<GiGpoNetConfigurationException>(() => agents.Algorithms.Get("nope"))!;
        Assert.That(unknown.Message, Does.Contain("'nope' is not a registered advantage estimator").And.Contain("time_aligned"));
        Assert.That(new AgentContext().Algorithms.Names, Does.Not.Contain("time_aligned"), "a context without the plugin does not list it");
    }

    [Test]
    public void Typed_options_become_the_configuration_keys_of_the_same_names_and_are_checked_where_they_are_built()
    {
        var agents = new AgentContext();
        Assert.That(agents.Algorithms.GiGpo(o => (o.StepAdvantageWeight, o.Mode) = (0.5, GiGpoNet.Advantages.AdvantageNormalization.MeanStdNorm)).Settings,
            Is.EqualTo(new Dictionary<string, string> { ["Algorithms:gigpo:StepAdvantageWeight"] = "0.5", ["Algorithms:gigpo:Mode"] = "MeanStdNorm" }));
        Assert.That(agents.Environments.Household(o => o.RoomSize = HouseholdRoomSize.Small).Settings,
            Is.EqualTo(new Dictionary<string, string> { ["Environments:household:RoomSize"] = "Small" }));
        Assert.That(agents.Algorithms.GiGpo().Settings, Is.Empty, "defaults need no keys");

        var gamma = Assert.Throws<GiGpoNetConfigurationException>(() => agents.Algorithms.GiGpo(o => o.Gamma = -1))!;
        Assert.That(gamma.Message, Does.Contain("Algorithms:gigpo:Gamma"));
        var heads = Assert.Throws<GiGpoNetConfigurationException>(() => agents.Policies.FromScratch(o => o.Heads = 3))!;
        Assert.That(heads.Message, Does.Contain("Heads must be a multiple of KeyValueHeads"));
        Assert.That(() => agents.Algorithms.Get<GrpoOptions>("gigpo", null), Throws.ArgumentException.With.Message.Contains("takes GiGpoOptions, not GrpoOptions"));
        Assert.That(() => agents.Environments.Get<HouseholdOptions>("sokoban", null), Throws.ArgumentException.With.Message.Contains("takes no options"));
        Assert.That(() => agents.Environments.Remote("alfworld", o => o.BaseAddress = "not a url"), Throws.TypeOf<GiGpoNetConfigurationException>());
    }

    [Test]
    [Category("Slow")]
    public async Task A_run_described_in_CSharp_is_the_run_the_same_settings_give_gigpo_train_to_the_bit()
    {
        var fromConfiguration = Path.Combine(Folder, "cli");
        Assert.That(Run(TinyTraining.Settings("gigpo", fromConfiguration)).Code, Is.EqualTo(0));
        var agent = await TrainTiny(new AgentContext(seed: 1), Path.Combine(Folder, "csharp"), null);

        TinyTraining.AssertSameMetrics(fromConfiguration, agent.RunFolder!);
        // Backend:Threads aside: gigpo also reads environment variables (Backend__Threads), a C# program only what it sets.
        static string[] Configuration(string run) => [.. File.ReadAllLines(Path.Combine(run, "configuration.json"))
            .Select(l => l.Replace(run, "", StringComparison.Ordinal)).Where(l => !l.Contains("\"Threads\"", StringComparison.Ordinal))];
        Assert.That(Configuration(agent.RunFolder!), Is.EqualTo(Configuration(fromConfiguration)),
            "the same effective configuration");
        Assert.That(agent.Summary["env_steps"], Is.GreaterThan(0));
        Assert.That(agent.PolicyFolder, Is.EqualTo(Path.Combine(agent.RunFolder!, "checkpoints", "final")));

        var metrics = new AgentContext().Data.LoadRun(agent.RunFolder!);
        Assert.That(metrics.Schema.Select(c => c.Name), Is.SupersetOf(new[] { "iteration", "success_rate", "step_group_multi_action_share" }));
        Assert.That(metrics.GetColumn<float>("iteration").ToArray(), Is.EqualTo(new[] { 1f, 2f }));
        var evaluations = new AgentContext().Data.LoadEvaluations(agent.RunFolder!);
        Assert.That(evaluations.GetColumn<float>("iteration").ToArray(), Is.EqualTo(new[] { 0f, 2f }), "the warm start's and the final evaluation");
    }

    [Test]
    [Category("Slow")]
    public async Task A_trained_agent_evaluates_as_gigpo_eval_does_saves_in_the_Hugging_Face_layout_and_loads_again()
    {
        var agents = new AgentContext(seed: 1);
        var agent = await TrainTiny(agents, Path.Combine(Folder, "run"));
        var evaluation = await agents.EvaluateAsync(agent, agents.Environments.Sokoban(), tasks: 6);

        var (code, stdout, stderr) = Run(["eval", "--checkpoint", agent.PolicyFolder, "--environment", "sokoban", "--tasks", "6", .. TinyRollout]);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(evaluation.Tasks, Is.EqualTo(6));
        foreach (var (metric, value) in evaluation.Metrics)
            Assert.That(stdout, Does.Contain($"  {metric,-48} {value.ToString("0.000", CultureInfo.InvariantCulture)}"), metric);

        var saved = Path.Combine(Folder, "saved");
        Assert.That(agent.Save(saved), Is.EqualTo(0), "no LoRA adapter to merge");
        Assert.That(File.Exists(Path.Combine(saved, "config.json")) && File.Exists(Path.Combine(saved, "model.safetensors")), Is.True);
        var loaded = agents.LoadAgent(saved, s => Tiny(s, null));
        var again = await agents.EvaluateAsync(loaded, agents.Environments.Sokoban(), tasks: 6);
        Assert.That(again.Metrics, Is.EqualTo(evaluation.Metrics), "the saved policy is the trained one");
        Assert.That(() => agent.Save(saved), Throws.TypeOf<GiGpoNetConfigurationException>(), "an existing folder is not overwritten");

        using var chat = agent.AsChatClient();
        var answer = await chat.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "push the box")],
            new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 4 });
        Assert.That(answer.Messages, Has.Count.EqualTo(1));
    }

    [Test]
    [Category("Slow")]
    public async Task A_grid_defined_in_code_runs_through_the_ablation_runner_and_comes_back_as_data_views()
    {
        var fromConfiguration = Path.Combine(Folder, "cli");
        Assert.That(Run(TinyTraining.Settings("gigpo", fromConfiguration)).Code, Is.EqualTo(0));
        var agents = new AgentContext(seed: 1);
        var grid = agents.Experiments.Grid("tiny", agents.Algorithms.GiGpo(), agents.Environments.Sokoban(), TinyPolicy(agents), s => Tiny(s, null))
            .Compare("algorithm", ("GiGPO", agents.Algorithms.GiGpo()), ("GRPO", agents.Algorithms.Grpo()));
        var output = Path.Combine(Folder, "grid");
        var progress = new List<string>();
        var table = await agents.Experiments.RunAsync(grid, output, new SynchronousProgress(e => progress.Add($"{e.Status} {e.Cell.Id}")));

        Assert.That(table.GetColumn<string>("algorithm").ToArray(), Is.EqualTo(new[] { "GiGPO", "GRPO" }));
        Assert.That(table.GetColumn<float>("seeds_finished").ToArray(), Is.EqualTo(new[] { 1f, 1f }));
        Assert.That(File.Exists(Path.Combine(output, "results.md")), Is.True, "the report is written");
        Assert.That(progress, Does.Contain("Finished gigpo__seed1").And.Contain("Finished grpo__seed1"));
        // The GiGPO cell is the run gigpo train gives the same settings: same runner, same services, the warm start shared through its cache.
        TinyTraining.AssertSameMetrics(fromConfiguration, Path.Combine(output, "gigpo__seed1"));

        var runs = agents.Data.LoadGrid(output);
        Assert.That(runs.GetColumn<string>("algorithm").ToArray(), Is.EqualTo(new[] { "GiGPO", "GRPO" }));
        Assert.That(runs.GetColumn<float>("finished").ToArray(), Is.EqualTo(new[] { 1f, 1f }));
        Assert.That(runs.GetColumn<float>("env_steps").ToArray(), Is.All.GreaterThan(0));

        var again = await agents.Experiments.RunAsync(grid, output);
        Assert.That(again.GetColumn<float>("seeds_finished").ToArray(), Is.EqualTo(new[] { 1f, 1f }), "finished cells are kept, not trained again");
    }

    [Test]
    [Category("Slow")]
    public void The_quick_start_sample_runs_as_written()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Folder };
        start.ArgumentList.Add(RepositoryFiles.SampleAssembly("QuickStart"));
        start.ArgumentList.Add("--quick");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10))) process.Kill(entireProcessTree: true);
        Assert.That(process.ExitCode, Is.EqualTo(0), stdout.Result + stderr.Result);
        Assert.That(stdout.Result, Does.Contain($"Trained in {Path.Combine(Folder, "runs", "gigpo-household-seed1")}: final validation success"));
        Assert.That(stdout.Result, Does.Contain("  success_rate: ").And.Contain("  success_rate/pick_and_place: "));
        Assert.That(stdout.Result, Does.Contain("environment household, algorithm GiGPO, seeds_finished 2, seeds 2")
            .And.Contain("environment household, algorithm GRPO, seeds_finished 2, seeds 2"));
    }

    [Test]
    public void A_grid_cell_is_its_levels_over_the_base_run_even_where_a_level_returns_a_setting_to_its_default()
    {
        var agents = new AgentContext();
        var grid = agents.Experiments.Grid("g", agents.Algorithms.GiGpo(o => o.Mode = GiGpoNet.Advantages.AdvantageNormalization.MeanStdNorm),
                agents.Environments.Household(), agents.Policies.FromScratch(), s => s.Update.LearningRate = 1e-3)
            .Compare("algorithm", ("GiGPO w/o std", agents.Algorithms.GiGpo()), ("GRPO", agents.Algorithms.Grpo()))
            .Vary("lr", ("default", s => s.Update.LearningRate = new Backend.Training.UpdateOptions().LearningRate), ("base", _ => { }));
        var cells = grid.ToAblationGrid().Cells();
        Assert.That(cells, Has.Count.EqualTo(4));
        var plain = cells.Single(c => c.Labels["algorithm"] == "GiGPO w/o std" && c.Labels["lr"] == "default").Settings;
        Assert.That(plain["Algorithms:gigpo:Mode"], Is.EqualTo("MeanNorm"), "the level's estimator at its default, not the base's mean_std_norm");
        Assert.That(double.Parse(plain["Update:LearningRate"], CultureInfo.InvariantCulture), Is.EqualTo(new Backend.Training.UpdateOptions().LearningRate));
        var grpo = cells.Single(c => c.Labels["algorithm"] == "GRPO" && c.Labels["lr"] == "base").Settings;
        Assert.That(grpo["Training:Algorithm"], Is.EqualTo("grpo"));
        Assert.That(grpo["Update:LearningRate"], Is.EqualTo("0.001"));
    }

    [Test]
    public void Step_rows_load_with_the_advantages_gigpo_advantages_writes()
    {
        var input = Path.Combine(RepositoryFiles.Root, "samples", "data", "alfworld-like-steps.jsonl");
        var output = Path.Combine(Folder, "advantages.jsonl");
        var (code, _, stderr) = Run("advantages", "--algorithm", "gigpo", "--input", input, "--output", output, "--param", "Mode=mean_std_norm");
        Assert.That(code, Is.EqualTo(0), stderr);
        var expected = File.ReadAllLines(output).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("adv"))
            .Select(a => a.ValueKind == System.Text.Json.JsonValueKind.Null ? float.NaN : (float)a.GetDouble()).ToArray();

        var agents = new AgentContext();
        var rows = agents.Data.LoadStepRows(input, agents.Algorithms.GiGpo(o => o.Mode = GiGpoNet.Advantages.AdvantageNormalization.MeanStdNorm));
        var actual = rows.GetColumn<float>("Advantage").ToArray();
        Assert.That(actual, Has.Length.EqualTo(expected.Length));
        for (var row = 0; row < expected.Length; row++)
            if (!float.IsNaN(expected[row])) Assert.That(actual[row], Is.EqualTo(expected[row]).Within(1e-6), $"row {row}");
        Assert.That(agents.Data.LoadStepRows(input).GetColumn<float>("Advantage").ToArray(), Has.All.Matches<float>(float.IsNaN), "no algorithm, no advantages");
    }

    [Test]
    public void The_readme_shows_the_quick_start_sample_as_it_is()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "README.md"));
        var section = readme[readme.IndexOf("## The C# front door, ML.NET style", StringComparison.Ordinal)..];
        var program = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples", "QuickStart", "Program.cs"));
        Assert.That(section, Does.Contain("```csharp\n" + program + "```"), "README.md shows samples/QuickStart/Program.cs, which the tests run");
        Assert.That(program.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.LessThanOrEqualTo(30));
    }

    private sealed class SynchronousProgress(Action<Experiments.Ablations.AblationProgress> report) : IProgress<Experiments.Ablations.AblationProgress>
    {
        public void Report(Experiments.Ablations.AblationProgress value)
        {
            lock (this) report(value);
        }
    }
}
