namespace GiGpoNet.Hosting.Tests;

/// <summary><c>gigpo settings</c> and <c>docs/configuration.md</c>: every key, generated from the options types, never stale.</summary>
public sealed class SettingsReferenceTests : CliTestBase
{
    [Test]
    public void Docs_configuration_md_is_what_gigpo_settings_prints()
    {
        var (code, stdout, stderr) = Run("settings");
        Assert.That(code, Is.EqualTo(0), stderr);
        var file = Path.Combine(RepositoryFiles.Root, "docs", "configuration.md");
        Assert.That(File.ReadAllText(file), Is.EqualTo(stdout),
            "docs/configuration.md is stale: regenerate it with `dotnet run --project src/Cli -- settings > docs/configuration.md`");
    }

    [Test]
    public void Every_key_a_run_records_is_in_the_reference_with_its_default()
    {
        var (_, reference, _) = Run("settings");
        var run = Path.Combine(Folder, "run");
        var (code, stdout, stderr) = Run(TinyTraining.Settings("gigpo", run));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var recorded = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(run, "configuration.json")))!.AsObject();
        foreach (var key in Keys(recorded, "").Where(k => !k.StartsWith("Plugins", StringComparison.Ordinal)))
            Assert.That(reference, Does.Contain($"| `{key}` |"), $"{key} is recorded by a run but missing from the reference");
    }

    [Test]
    public void A_plugins_estimator_appears_with_its_options()
    {
        var (code, stdout, stderr) = Run("settings", $"--Plugins:0={RepositoryFiles.SampleAssembly("CustomEstimator")}");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("## `Algorithms:time_aligned`").And.Contain("| `Algorithms:time_aligned:Gamma` |"));
    }

    private static IEnumerable<string> Keys(System.Text.Json.Nodes.JsonObject node, string prefix)
    {
        foreach (var (name, value) in node)
        {
            var key = prefix.Length == 0 ? name : $"{prefix}:{name}";
            if (value is System.Text.Json.Nodes.JsonObject child) foreach (var inner in Keys(child, key)) yield return inner;
            else yield return key;
        }
    }
}
