using GiGpoNet.Experiments.Ablations;

namespace GiGpoNet.Hosting.Tests;

/// <summary><c>gigpo ablate</c> and <c>gigpo report</c> on a tiny grid: two algorithms × two seeds, each cell a child <c>gigpo train</c>.</summary>
public sealed class AblateCommandTests : CliTestBase
{
    private string Grid(string axes = """{ "name": "algorithm", "key": "Training:Algorithm", "values": ["gigpo", "grpo"] }""", string extraBase = "")
    {
        var path = Path.Combine(Folder, "grid.json");
        File.WriteAllText(path, $$"""
            {
              "name": "tiny grid",
              "base": {
                "Training:Environment": "sokoban", "Training:Iterations": 2, "Training:Groups": 2, "Training:GroupSize": 2, "Training:EvaluationTasks": 2,
                "WarmStart:Episodes": 2, "WarmStart:Epochs": 1, "Rollout:MaxSteps": 3, "Rollout:MaxNewTokens": 6, "Rollout:RequireThinkTags": false,
                "Policy:Layers": 1, "Policy:HiddenSize": 32, "Policy:IntermediateSize": 64, "Policy:Heads": 2, "Policy:KeyValueHeads": 1,
                "Update:MiniBatchSize": 8, "Update:MicroBatchSize": 4 {{extraBase}}
              },
              "axes": [ {{axes}} ],
              "seeds": [1, 2]
            }
            """);
        return path;
    }

    private string Output => Path.Combine(Folder, "out");

    [Test]
    [Category("Slow")]
    public void A_grid_runs_every_cell_resumes_after_an_interruption_and_reports_a_table_of_the_right_shape()
    {
        var (code, stdout, stderr) = Run("ablate", "--grid", Grid(), "--output", Output);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("[4/4").And.Contain("4/4 cells finished (0 had finished before), 0 failed"));
        string[] ids = ["gigpo__seed1", "gigpo__seed2", "grpo__seed1", "grpo__seed2"];
        Assert.That(Directory.GetDirectories(Output).Select(Path.GetFileName).Where(n => n != "warm-start-cache").Order(), Is.EqualTo(ids));
        Assert.That(Directory.GetDirectories(Path.Combine(Output, "warm-start-cache")), Has.Length.EqualTo(2), "one warm start per seed, shared by both algorithms");

        // An interruption: one cell never started, another stopped before its summary. Only those two run again.
        var untouched = Path.Combine(Output, "gigpo__seed1", "metrics.jsonl");
        var before = File.ReadAllText(untouched);
        Directory.Delete(Path.Combine(Output, "grpo__seed2"), recursive: true);
        File.Delete(Path.Combine(Output, "gigpo__seed2", "summary.json"));
        (code, _, stderr) = Run("report", Output);
        Assert.That(code, Is.EqualTo(0), stderr);
        var oneSeed = File.ReadAllLines(Path.Combine(Output, "results.md")).Single(l => l.StartsWith("| gigpo", StringComparison.Ordinal));
        Assert.That(oneSeed, Does.StartWith("| gigpo | 1/2 |").And.Contain("(1 seed)").And.Not.Contain("±"), "one seed has no spread to show");
        var oneSeedCsv = File.ReadAllLines(Path.Combine(Output, "results.csv"));
        var stdColumn = Array.IndexOf(oneSeedCsv[0].Split(','), "success_std");
        Assert.That(oneSeedCsv.Single(l => l.StartsWith("sokoban,gigpo,", StringComparison.Ordinal)).Split(',')[stdColumn], Is.Empty);

        (code, stdout, stderr) = Run("ablate", "--grid", Grid(), "--output", Output);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("4/4 cells finished (2 had finished before), 0 failed"));
        Assert.That(stdout, Does.Contain("start algorithm=grpo, seed 2").And.Contain("start algorithm=gigpo, seed 2").And.Not.Contain("start algorithm=gigpo, seed 1"));
        Assert.That(File.ReadAllText(untouched), Is.EqualTo(before), "a finished cell is not run again");

        // The report is rebuilt from the folders alone.
        File.Delete(Path.Combine(Output, "results.md"));
        (code, stdout, stderr) = Run("report", Output);
        Assert.That(code, Is.EqualTo(0), stderr);
        var table = File.ReadAllLines(Path.Combine(Output, "results.md")).Where(l => l.StartsWith('|')).ToList();
        Assert.That(table, Has.Count.EqualTo(2 + 2), "header, rule, one row per algorithm");
        Assert.That(table[0], Does.StartWith("| algorithm | seeds | sokoban | **all** |"));
        Assert.That(table[2], Does.StartWith("| gigpo | 2/2 |"));
        Assert.That(table[3], Does.StartWith("| grpo | 2/2 |"));
        var csv = File.ReadAllLines(Path.Combine(Output, "results.csv"));
        Assert.That(csv, Has.Length.EqualTo(3));
        Assert.That(csv[0].Split(','), Does.Contain("success_mean").And.Contain("success_std").And.Contain("env_steps_mean"));
        Assert.That(File.Exists(Path.Combine(Output, "curves-sokoban-validation.png")), Is.True);
        Assert.That(new FileInfo(Path.Combine(Output, "curves-sokoban-training.png")).Length, Is.GreaterThan(1000));
    }

    [Test]
    [Category("Slow")]
    public void A_failed_cell_is_reported_kept_out_of_the_table_and_rerun_only_when_asked()
    {
        // A cell that passes validation and fails in its run: its prompts are longer than its prompt limit.
        var axes = """
            { "name": "policy", "values": [
              { "label": "scratch", "set": { "Policy:MaxPromptTokens": 1024 } },
              { "label": "broken", "set": { "Policy:MaxPromptTokens": 16 } } ] }
            """;
        var (code, stdout, stderr) = Run("ablate", "--grid", Grid(axes), "--output", Output);
        Assert.That(code, Is.EqualTo(1), stdout);
        Assert.That(stdout, Does.Contain("2/4 cells finished").And.Contain("2 failed").And.Contain("FAILED policy=broken, seed 1"));
        Assert.That(stderr, Does.Contain("broken__seed1").And.Contain("--retry-failed"));
        Assert.That(AblationRunner.StatusOf(Path.Combine(Output, "broken__seed2")), Is.EqualTo(AblationCellStatus.Failed));

        (code, stdout, _) = Run("ablate", "--grid", Grid(axes), "--output", Output);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Does.Not.Contain("start "), "failed cells wait for --retry-failed");
        var rows = File.ReadAllLines(Path.Combine(Output, "results.md")).Where(l => l.StartsWith("| broken", StringComparison.Ordinal)).ToList();
        Assert.That(rows.Single(), Does.StartWith("| broken | 0/2 |"));

        (code, stdout, _) = Run("ablate", "--grid", Grid(axes), "--output", Output, "--retry-failed");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("start policy=broken, seed 1").And.Not.Contain("start policy=scratch"));
    }

    [Test]
    [Category("Slow")]
    public void A_cell_already_run_by_another_grid_with_the_same_configuration_is_reused_not_trained()
    {
        var first = Path.Combine(Folder, "first");
        var (code, stdout, stderr) = Run("ablate", "--grid", Grid("""{ "name": "algorithm", "key": "Training:Algorithm", "values": ["gigpo"] }"""), "--output", first);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        // Seed 2's file as earlier versions wrote it, with values derived from the settings beside them: still the same configuration.
        var earlier = Path.Combine(first, "gigpo__seed2", "configuration.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(earlier))!;
        document["Policy"]!["Lora"]!["Enabled"] = false;
        document["Policy"]!["Lora"]!["Targets"] = new System.Text.Json.Nodes.JsonArray("q_proj", "v_proj");
        document["Algorithms"]!["gigpo"]!["EffectiveEpisodeMode"] = "MeanNorm";
        File.WriteAllText(earlier, document.ToJsonString());

        // A second grid: its "GiGPO" level (listed second) is the first grid's gigpo cell under another label, computed with length-ordered
        // micro-batches (a setting of how, not what: ignored); its other level differs in one estimator option.
        var axes = """
            { "name": "variant", "values": [
              { "label": "gamma 0.5", "set": { "Training:Algorithm": "gigpo", "Algorithms:gigpo:Gamma": 0.5 } },
              { "label": "GiGPO", "set": { "Training:Algorithm": "gigpo", "Update:LengthBucketing": true } } ] }
            """;
        (code, stdout, stderr) = Run("ablate", "--grid", Grid(axes), "--output", Output, "--reuse", first, "--dry-run");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("would reuse gigpo__seed1").And.Contain("would reuse gigpo__seed2").And.Contain("would reuse 2 warm starts"));
        Assert.That(Directory.Exists(Path.Combine(Output, "gigpo__seed1")), Is.False, "a dry run copies nothing");

        (code, stdout, stderr) = Run("ablate", "--grid", Grid(axes), "--output", Output, "--reuse", first);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(stdout, Does.Contain("reused gigpo__seed1").And.Contain("reused gigpo__seed2").And.Not.Contain("reused gamma"));
        Assert.That(stdout, Does.Contain($"reused 2 warm starts from {Path.Combine(first, "warm-start-cache")}"));
        Assert.That(File.ReadAllText(Path.Combine(Output, "gamma_0.5__seed1", "metrics.jsonl")), Does.Contain("\"cached\":1"),
            "the new cells take their warm start from the first grid's cache instead of training it");
        Assert.That(stdout, Does.Not.Contain("start variant=GiGPO").And.Contain("start variant=gamma 0.5, seed 1"));
        Assert.That(stdout, Does.Contain("4/4 cells finished (2 had finished before)"));
        Assert.That(File.ReadAllText(Path.Combine(Output, "gigpo__seed1", "metrics.jsonl")), Is.EqualTo(File.ReadAllText(Path.Combine(first, "gigpo__seed1", "metrics.jsonl"))));
        Assert.That(File.ReadAllText(Path.Combine(Output, "gigpo__seed1", AblationReuse.MarkerFileName)), Does.Contain(Path.Combine(first, "gigpo__seed1")));
        Assert.That(AblationCell.Load(Path.Combine(Output, "gigpo__seed1"))!.Value.Cell.Labels["variant"], Is.EqualTo("GiGPO"), "the copy is described as this grid's cell");
        var rows = File.ReadAllLines(Path.Combine(Output, "results.md")).Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Select(l => l.Split('|')[1].Trim());
        Assert.That(rows, Is.EqualTo(new[] { "gamma 0.5", "GiGPO" }), "rows in the grid's order, although the reused cells were there first");

        (code, _, stderr) = Run("ablate", "--grid", Grid(axes), "--output", Output, "--reuse", Path.Combine(Folder, "nowhere"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--reuse").And.Contain(Path.Combine(Folder, "nowhere")).And.Contain("does not exist"));
    }

    [Test]
    public void A_cell_with_a_bad_setting_stops_the_grid_before_any_cell_runs()
    {
        var (code, _, stderr) = Run("ablate", "--grid", Grid(extraBase: """, "Update:LearningRat": 0.1"""), "--output", Output);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("cell gigpo__seed1").And.Contain("Update:LearningRat is not a known setting"));
        Assert.That(Directory.Exists(Output) && Directory.EnumerateFileSystemEntries(Output).Any(), Is.False, "nothing ran");
    }

    [Test]
    public void Only_selects_cells_by_folder_name_and_a_pattern_that_matches_none_is_refused()
    {
        var (code, stdout, stderr) = Run("ablate", "--grid", Grid(), "--output", Output, "--only", "*__seed1", "--dry-run");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var listed = stdout.Split('\n').Where(l => l.StartsWith("Pending", StringComparison.Ordinal)).Select(l => l.Split(' ',
            StringSplitOptions.RemoveEmptyEntries)[1].TrimEnd(':'));
        Assert.That(listed, Is.EqualTo(new[] { "gigpo__seed1", "grpo__seed1" }));

        (code, _, stderr) = Run("ablate", "--grid", Grid(), "--output", Output, "--only", "ppo__*");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--only ppo__*: no cell's folder name matches").And.Contain("gigpo__seed1, gigpo__seed2, grpo__seed1, grpo__seed2"));
    }

    [Test]
    public void Report_on_a_folder_without_cells_says_what_to_give()
    {
        var (code, _, stderr) = Run("report", Folder);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("holds no cell folders"));
    }

    [Test]
    public void Every_shipped_grid_is_valid_in_every_cell()
    {
        var grids = Directory.GetFiles(Path.Combine(RepositoryFiles.Root, "samples", "ablations"), "*.json");
        Assert.That(grids, Has.Length.GreaterThanOrEqualTo(6));
        foreach (var grid in grids)
        {
            var (code, stdout, stderr) = Run("ablate", "--grid", grid, "--output", Path.Combine(Folder, Path.GetFileNameWithoutExtension(grid)), "--dry-run");
            Assert.That(code, Is.EqualTo(0), $"{grid}: {stderr}");
            Assert.That(stdout, Does.Contain("every configuration valid").And.Contain("Pending"));
        }
    }
}
