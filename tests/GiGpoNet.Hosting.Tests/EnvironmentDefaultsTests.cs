using System.Globalization;
using GiGpoNet.Experiments.Ablations;
using GiGpoNet.Hosting.Configuration;

namespace GiGpoNet.Hosting.Tests;

/// <summary><c>appsettings.{environment}.json</c>: the per-environment defaults read over <c>appsettings.json</c>.</summary>
public sealed class EnvironmentDefaultsTests : CliTestBase
{
    private string Settings(string environment)
    {
        File.WriteAllText(Path.Combine(Folder, "appsettings.json"),
            $"{{\"Training\": {{\"Environment\": \"{environment}\", \"Groups\": 4}}, \"WarmStart\": {{\"Episodes\": 240}}}}");
        File.WriteAllText(Path.Combine(Folder, "appsettings.search.json"),
            "{ // search's defaults\n \"WarmStart\": {\"Episodes\": 2000}, \"Training\": {\"Groups\": 8}}");
        return Path.Combine(Folder, "appsettings.json");
    }

    [Test]
    public void The_selected_environments_file_is_read_over_the_settings_and_under_the_command_line()
    {
        var configuration = GiGpoNetConfiguration.Create(["--Training:Groups=16"], Settings("household"));
        Assert.That((configuration["WarmStart:Episodes"], configuration["Training:Groups"]), Is.EqualTo(("240", "16")), "household has no defaults file");

        configuration = GiGpoNetConfiguration.Create(["--Training:Environment=search"], Settings("household"));
        Assert.That((configuration["WarmStart:Episodes"], configuration["Training:Groups"]), Is.EqualTo(("2000", "8")), "selected on the command line");

        configuration = GiGpoNetConfiguration.Create(["--WarmStart:Episodes=50"], Settings("search"));
        Assert.That((configuration["WarmStart:Episodes"], configuration["Training:Groups"]), Is.EqualTo(("50", "8")), "selected in the settings file");
    }

    [Test]
    public void The_repositorys_shop_defaults_give_a_run_its_settings_and_the_shop_grid_keeps_those_it_was_measured_with()
    {
        var run = Path.Combine(Folder, "shop");
        var (code, stdout, stderr) = Run("train", "--settings", Path.Combine(RepositoryFiles.Root, "appsettings.json"), "--Training:Environment=shop",
            "--WarmStart:Episodes=0", "--Training:Iterations=0", "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={run}");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        using var configuration = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "configuration.json")));
        var (shop, policy) = (configuration.RootElement.GetProperty("Environments").GetProperty("shop"), configuration.RootElement.GetProperty("Policy"));
        Assert.That((shop.GetProperty("Reward").GetString(), shop.GetProperty("Search").GetString(), shop.GetProperty("Titles").GetString()),
            Is.EqualTo(("Score", "Instruction", "Full")));
        Assert.That((policy.GetProperty("TieWordEmbeddings").GetBoolean(), policy.GetProperty("SpacesApart").GetBoolean(), policy.GetProperty("ComposeSpacedWords").GetBoolean()),
            Is.EqualTo((true, false, true)));
        Assert.That(configuration.RootElement.GetProperty("Rollout").GetProperty("HistoryLength").GetInt32(), Is.EqualTo(0));
        var (training, update) = (configuration.RootElement.GetProperty("Training"), configuration.RootElement.GetProperty("Update"));
        Assert.That((training.GetProperty("EnvironmentStepBudget").GetInt32(), update.GetProperty("LearningRate").GetDouble()), Is.EqualTo((16000, 3e-4)),
            "docs/results.md, \"shop at three times the learning rate\"");

        var pinned = ShippedGrid("algorithms-shop.json").Base;
        Assert.That(pinned.GetValueOrDefault("Environments:shop:Reward"), Is.EqualTo("Success"), "the table in docs/results.md was measured with the success reward");
        string[] keys = ["Environments:shop:Titles", "Rollout:HistoryLength", "Policy:SpacesApart", "Policy:TieWordEmbeddings", "Policy:ComposeSpacedWords",
            "Update:LearningRate"];
        Assert.That(keys.Select(pinned.GetValueOrDefault), Is.EqualTo(new[] { "Short", "1", "false", "false", "false", "0.0001" }).IgnoreCase,
            "and with appsettings.json's titles, history, policy and learning rate");
    }

    [Test]
    public void The_tied_shop_grid_pins_the_settings_a_shop_run_has_by_default_but_those_that_came_after_it() =>
        // Its table was measured before shop's defaults composed spaced words, tripled the learning rate and doubled the budget.
        AssertPinsShopDefaults("algorithms-shop-tied.json", new()
        {
            ["Policy:ComposeSpacedWords"] = ("false", "true"),
            ["Update:LearningRate"] = ("0.0001", "0.0003"),
            ["Training:Iterations"] = ("60", "120"),
            ["Training:EnvironmentStepBudget"] = ("8000", "16000"),
        });

    [Test]
    public void The_shop_gigpo_vs_grpo_grid_pins_the_settings_a_shop_run_has_by_default() =>
        AssertPinsShopDefaults("gigpo-vs-grpo-shop.json", []);

    /// <summary>Each setting the grid pins is a default shop run's, but those of <paramref name="later"/>: (the grid's, the default).</summary>
    private static void AssertPinsShopDefaults(string grid, Dictionary<string, (string Grid, string Default)> later)
    {
        var defaults = GiGpoNetConfiguration.Create(["--Training:Environment=shop"], Path.Combine(RepositoryFiles.Root, "appsettings.json"));
        var pinned = ShippedGrid(grid).Base;
        Assert.That(pinned.Keys, Does.Contain("Policy:TieWordEmbeddings").And.Contain("Environments:shop:Titles").And.Contain("Update:LearningRate"));
        foreach (var (key, (inGrid, byDefault)) in later)
            Assert.That((pinned[key], defaults[key]), Is.EqualTo((inGrid, byDefault)).IgnoreCase, key);
        foreach (var (key, value) in pinned.Where(p => !later.ContainsKey(p.Key)))
            // A key no settings file names has its option's default, false for the booleans pinned here.
            Assert.That(defaults[key] ?? "false", Is.EqualTo(value).IgnoreCase, $"{key}: the grid's table was measured with shop's defaults");
    }

    [Test]
    public void The_16k_shop_grid_is_the_tied_shop_grid_at_twice_the_budget_without_ppo()
    {
        // Its cells go on from the tied grid's checkpoints (docs/results.md), which holds only while the two differ in the budget alone.
        var (tied, longer) = (ShippedGrid("algorithms-shop-tied.json"), ShippedGrid("algorithms-shop-tied-16k.json"));
        string[] budget = ["Training:Iterations", "Training:EnvironmentStepBudget"];
        IEnumerable<string> Cells(IEnumerable<AblationCell> cells) => cells.Select(c => c.Id + ": " + string.Join(", ",
            c.Settings.Where(p => !budget.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        Assert.That(Cells(longer.Cells()), Is.EqualTo(Cells(tied.Cells().Where(c => c.Settings["Training:Algorithm"] != "ppo"))));
        foreach (var key in budget)
            Assert.That(int.Parse(longer.Base[key], CultureInfo.InvariantCulture), Is.EqualTo(2 * int.Parse(tied.Base[key], CultureInfo.InvariantCulture)), key);
    }

    private static AblationGrid ShippedGrid(string name) => AblationGrid.Load(Path.Combine(RepositoryFiles.Root, "samples", "ablations", name));

    [Test]
    public void A_defaults_file_that_is_not_json_is_refused_naming_it()
    {
        var settings = Settings("search");
        File.WriteAllText(Path.Combine(Folder, "appsettings.search.json"), "{ not json");
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => GiGpoNetConfiguration.Create([], settings))!;
        Assert.That(error.Message, Does.Contain("appsettings.search.json"));
    }
}
