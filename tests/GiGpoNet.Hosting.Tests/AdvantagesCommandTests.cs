using System.Text.Json;

namespace GiGpoNet.Hosting.Tests;

/// <summary>The <c>gigpo advantages</c> verb, run in-process as the shell would run it.</summary>
public sealed class AdvantagesCommandTests : CliTestBase
{
    private string Input(params string[] lines)
    {
        var path = Path.Combine(Folder, "steps.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string OutputPath => Path.Combine(Folder, "out.jsonl");

    private static readonly string[] TwoTrajectories =
    [
        """{"group": "g", "traj": "b", "step": 1, "anchor": "Y", "reward": 0}""",
        """{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 0, "note": "kept"}""",
        """{"group": "g", "traj": "b", "step": 0, "anchor": "S", "reward": 0}""",
        "",
        """{"group": "g", "traj": "a", "step": 1, "anchor": "X", "reward": 10}""",
        """{"group": "g", "traj": "b", "step": 2, "anchor": "X", "reward": 10}""",
        """{"group": "g", "traj": "b", "step": 3, "anchor": "Z", "reward": 5, "active": false}""",
    ];

    [Test]
    public void Writes_one_line_per_row_in_input_order_with_gigpo_columns()
    {
        var (code, _, stderr) = Run("advantages", "--input", Input(TwoTrajectories), "--output", OutputPath, "--param", "gamma=0.5");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Match(@"^rows=6 groups=1 step_groups=3 estimate_ms=\d+(\.\d+)?\s*$"));

        var lines = File.ReadAllLines(OutputPath).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.That(lines, Has.Length.EqualTo(6));
        Assert.That(lines.Select(l => $"{l.GetProperty("traj").GetString()}{l.GetProperty("step").GetInt32()}"),
            Is.EqualTo(new[] { "b1", "a0", "b0", "a1", "b2", "b3" }));
        // a: S 5, X 10; b: S 2.5, Y 5, X 10 -> a.S +1.25, b.S -1.25 (see the hand-computed tests).
        Assert.That(lines[1].GetProperty("adv").GetDouble(), Is.EqualTo(1.25).Within(1e-12));
        Assert.That(lines[2].GetProperty("adv").GetDouble(), Is.EqualTo(-1.25).Within(1e-12));
        Assert.That(lines[1].GetProperty("note").GetString(), Is.EqualTo("kept"));
        Assert.That(lines[4].GetProperty("step_group_size").GetDouble(), Is.EqualTo(2));
        Assert.That(lines[5].GetProperty("adv").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(lines[5].GetProperty("step_return").ValueKind, Is.EqualTo(JsonValueKind.Null));
        foreach (var column in new[] { "episode_adv", "step_adv", "step_return", "step_group_size" })
            Assert.That(lines[0].TryGetProperty(column, out _), Is.True, column);
    }

    [Test]
    public void Rows_with_their_actions_get_the_diagnostic_of_what_the_step_groups_compare()
    {
        // S: a "open", b "look" (two actions); X: a and b both "take" (one action); Y and Z: one row each.
        string[] actions = ["go", "open", "look", "take", "take", "wait"];
        var withActions = TwoTrajectories.Where(l => l.Length > 0).Select((l, i) => l.Replace("\"reward\"", $"\"action\": \"{actions[i]}\", \"reward\"",
            StringComparison.Ordinal)).ToArray();
        var (code, _, stderr) = Run("advantages", "--input", Input(withActions), "--output", OutputPath);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("step_groups=3 step_group_multi_action_share=0.333 step_row_multi_action_share=0.4 step_group_distinct_actions_mean=1.333"));
    }

    [Test]
    public void Reference_parameter_names_and_option_names_are_both_accepted()
    {
        var input = Input(TwoTrajectories);
        var byReference = Run("advantages", "-i", input, "-o", OutputPath, "-p", "mode=mean_std_norm", "-p", "step_advantage_w=0.4", "-p", "gamma=0.5");
        var reference = File.ReadAllText(OutputPath);
        var byOption = Run("advantages", "-i", input, "-o", OutputPath, "-p", "Mode=MeanStdNorm", "-p", "StepAdvantageWeight=0.4", "--Algorithms:gigpo:Gamma=0.5");
        Assert.That((byReference.Code, byOption.Code), Is.EqualTo((0, 0)), byReference.Stderr + byOption.Stderr);
        Assert.That(File.ReadAllText(OutputPath), Is.EqualTo(reference));
        Assert.That(reference, Does.Not.Contain("\"adv\":1.25"));
    }

    [TestCase("grpo")]
    [TestCase("rloo")]
    [TestCase("reinforce_plus_plus")]
    [TestCase("reinforce_plus_plus_baseline")]
    public void Other_estimators_write_adv_without_gigpo_columns(string algorithm)
    {
        var (code, _, stderr) = Run("advantages", "--algorithm", algorithm, "--input", Input(TwoTrajectories), "--output", OutputPath);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("step_groups=0"));
        var first = JsonDocument.Parse(File.ReadLines(OutputPath).First()).RootElement;
        Assert.That(first.GetProperty("adv").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(first.TryGetProperty("step_adv", out _), Is.False);
    }

    [Test]
    public void Ppo_reads_per_token_critic_values_and_writes_per_token_advantages()
    {
        var input = Input(
            """{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 10, "values": [2, 4]}""",
            """{"group": "g", "traj": "b", "step": 0, "anchor": "S", "reward": 0, "values": [1]}""");
        var (code, _, stderr) = Run("advantages", "--algorithm", "ppo", "--input", input, "--output", OutputPath);
        Assert.That(code, Is.EqualTo(0), stderr);
        var first = JsonDocument.Parse(File.ReadLines(OutputPath).First()).RootElement;
        Assert.That(first.GetProperty("adv").GetArrayLength(), Is.EqualTo(2));
        Assert.That(first.GetProperty("returns").EnumerateArray().Select(v => v.GetDouble()), Is.EqualTo(new double[] { 10, 10 }));

        var withoutValues = Run("advantages", "--algorithm", "ppo", "--input", Input(TwoTrajectories), "--output", OutputPath);
        Assert.That(withoutValues.Code, Is.EqualTo(1));
        Assert.That(withoutValues.Stderr, Does.Contain("\"values\""));
    }

    [TestCase("""{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 0""", "line 2: not valid JSON")]
    [TestCase("""{"group": "g", "traj": "a", "step": 0, "anchor": "S"}""", "line 2: missing field 'reward'")]
    [TestCase("""{"group": "g", "step": 0, "anchor": "S", "reward": 1}""", "line 2: missing field 'traj'")]
    [TestCase("""{"group": "g", "traj": "a", "step": 0, "reward": 1}""", "line 2: missing field 'anchor'")]
    [TestCase("""{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 1e999}""", "line 2: field 'reward' is 1e999, which is not a finite number")]
    [TestCase("""{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": "NaN"}""", "line 2: field 'reward' must be a number")]
    [TestCase("""{"group": "g", "traj": "a", "step": 1.5, "anchor": "S", "reward": 0}""", "line 2: field 'step' must be a whole number")]
    [TestCase("""{"group": "g", "traj": "x", "step": 0, "anchor": "S", "reward": 0, "active": "yes"}""", "line 2: field 'active' must be true or false")]
    [TestCase("""[1, 2]""", "line 2: expected a JSON object")]
    [TestCase("""{"group": "g", "traj": "x", "step": 0, "anchor": "S", "reward": 0}""", "Trajectory 'x' has step 0 twice (line 1 and line 2)")]
    [TestCase("""{"group": "h", "traj": "x", "step": 1, "anchor": "S", "reward": 0}""", "Trajectory 'x' is in group 'h' here but in group 'g' at line 1")]
    public void Bad_input_names_the_line_and_the_problem_and_leaves_no_output(string badLine, string expected)
    {
        File.WriteAllText(OutputPath, "previous content");
        var input = Input("""{"group": "g", "traj": "x", "step": 0, "anchor": "S", "reward": 0}""", badLine);
        var (code, _, stderr) = Run("advantages", "--input", input, "--output", OutputPath);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(File.ReadAllText(OutputPath), Is.EqualTo("previous content"));
        Assert.That(Directory.GetFiles(Folder), Has.Length.EqualTo(2), "no temporary file is left behind");
    }

    [Test]
    public void An_unknown_algorithm_or_parameter_is_a_usage_error_before_any_work()
    {
        var input = Input(TwoTrajectories);
        var algorithm = Run("advantages", "--algorithm", "gipgo", "--input", input, "--output", OutputPath);
        Assert.That(algorithm.Code, Is.EqualTo(2));
        Assert.That(algorithm.Stderr, Does.Contain("'gipgo' is not a registered advantage estimator. Registered: gigpo, grpo, ppo"));

        var parameter = Run("advantages", "--input", input, "--output", OutputPath, "--param", "gama=0.9");
        Assert.That(parameter.Code, Is.EqualTo(2));
        Assert.That(parameter.Stderr, Does.Contain("--param gama").And.Contain("gamma").And.Contain("step_advantage_w"));

        var value = Run("advantages", "--input", input, "--output", OutputPath, "--param", "gamma=-1");
        Assert.That(value.Code, Is.EqualTo(2));
        Assert.That(value.Stderr, Does.Contain("Algorithms:gigpo:Gamma = -1 must be a finite number of 0 or more"));

        var missing = Run("advantages", "--input", input);
        Assert.That(missing.Code, Is.EqualTo(2));
        Assert.That(missing.Stderr, Does.Contain("--output"));
        Assert.That(File.Exists(OutputPath), Is.False);
    }

    [Test]
    public void A_missing_input_file_is_a_failure_naming_the_path()
    {
        var (code, _, stderr) = Run("advantages", "--input", Path.Combine(Folder, "nope.jsonl"), "--output", OutputPath);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("nope.jsonl").And.Contain("does not exist"));
    }

    [Test]
    public void Serving_an_unknown_environment_is_a_usage_error_that_lists_the_registered_ones()
    {
        var (code, _, stderr) = Run("serve-env", "--environment", "alfworld");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("'alfworld' is not a registered environment. Registered: household, search, shop, sokoban."));
    }

    [Test]
    public void Help_describes_the_verb()
    {
        var (code, stdout, _) = Run("advantages", "--help");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Does.Contain("--input").And.Contain("--param"));
    }
}
