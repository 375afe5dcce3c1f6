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
    public void The_repositorys_shop_defaults_give_a_run_the_graded_reward_and_the_shop_grid_keeps_the_success_reward()
    {
        var run = Path.Combine(Folder, "shop");
        var (code, stdout, stderr) = Run("train", "--settings", Path.Combine(RepositoryFiles.Root, "appsettings.json"), "--Training:Environment=shop",
            "--WarmStart:Episodes=0", "--Training:Iterations=0", "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={run}");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var shop = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "configuration.json"))).RootElement
            .GetProperty("Environments").GetProperty("shop");
        Assert.That((shop.GetProperty("Reward").GetString(), shop.GetProperty("Search").GetString()), Is.EqualTo(("Score", "Instruction")));

        var grid = File.ReadAllText(Path.Combine(RepositoryFiles.Root, "samples", "ablations", "algorithms-shop.json"));
        Assert.That(grid, Does.Contain("\"Environments:shop:Reward\": \"Success\""), "the table in docs/results.md was measured with the success reward");
    }

    [Test]
    public void A_defaults_file_that_is_not_json_is_refused_naming_it()
    {
        var settings = Settings("search");
        File.WriteAllText(Path.Combine(Folder, "appsettings.search.json"), "{ not json");
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => GiGpoNetConfiguration.Create([], settings))!;
        Assert.That(error.Message, Does.Contain("appsettings.search.json"));
    }
}
