using System.Text.Json.Nodes;

namespace GiGpoNet.Hosting.Tests;

/// <summary>A run folder's <c>configuration.json</c>: the effective configuration, which reads back as a settings file.</summary>
public sealed class RunConfigurationTests : CliTestBase
{
    [Test]
    public void A_runs_configuration_file_given_as_settings_gives_the_same_effective_configuration()
    {
        var first = Path.Combine(Folder, "first");
        var (code, stdout, stderr) = Run("train", "--settings", Path.Combine(RepositoryFiles.Root, "appsettings.json"), "--Training:Algorithm=gigpo",
            "--Algorithms:gigpo:EpisodeMode=MeanNorm", "--Environments:household:RoomSize=Small", "--Update:LearningRate=0.0003",
            "--WarmStart:Episodes=0", "--Training:Iterations=0", "--Training:EvaluationTasks=2", $"--Training:OutputDirectory={first}");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(first, "configuration.json")))!;
        Assert.That(written["Policy"]!["Lora"]!.AsObject().ContainsKey("Enabled"), Is.False, "derived values are not settings");
        Assert.That(written["Algorithms"]!["gigpo"]!.AsObject().ContainsKey("EffectiveEpisodeMode"), Is.False);

        var second = Path.Combine(Folder, "second");
        (code, stdout, stderr) = Run("train", "--settings", Path.Combine(first, "configuration.json"), $"--Training:OutputDirectory={second}");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var readBack = JsonNode.Parse(File.ReadAllText(Path.Combine(second, "configuration.json")))!;
        Assert.That(readBack["Training"]!["OutputDirectory"]!.GetValue<string>(), Is.EqualTo(second));
        readBack["Training"]!["OutputDirectory"] = first;
        Assert.That(JsonNode.DeepEquals(readBack, written), Is.True, readBack.ToJsonString());
        Assert.That((readBack["Algorithms"]!["gigpo"]!["EpisodeMode"]!.GetValue<string>(), readBack["Update"]!["LearningRate"]!.GetValue<double>()),
            Is.EqualTo(("MeanNorm", 0.0003)));
    }
}
