using GiGpoNet.Backend.Training;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Settings written in C# instead of configuration keys: <c>AddGiGpoNet(o =&gt; ...)</c> and <c>services.Configure&lt;T&gt;</c> win over
/// configuration, are validated at start-up like it, and give the run the same configuration would; a plain provider and a generic
/// host report every configuration error as one exception type.
/// </summary>
public sealed class TypedConfigurationTests : CliTestBase
{
    [Test]
    public void Typed_settings_win_over_configuration_and_are_validated_at_start_up()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Training:Iterations"] = "5" }).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration, o => o.Iterations = 1).AddBuiltIns();
        services.Configure<RolloutOptions>(o => o.MaxSteps = -1);
        using var provider = services.BuildServiceProvider();
        Assert.That(provider.GetRequiredService<IOptions<TrainingOptions>>().Value.Iterations, Is.EqualTo(1));
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration())!;
        Assert.That(error.Message, Does.Contain("Rollout:MaxSteps"));
    }

    [Test]
    public void A_generic_host_reports_a_bad_option_and_an_unread_component_section_as_a_configuration_error()
    {
        foreach (var (key, value, expected) in new[]
                 {
                     ("Update:LearningRate", "-1", "Update:LearningRate"),
                     ("Algorithms:gigpo:Gama", "0.5", "Gama"),
                     ("Environments:houshold:RoomSize", "Small", "Environments:houshold"),
                 })
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            builder.Configuration.AddCommandLine([$"--{key}={value}"]);
            builder.Services.AddGiGpoNet(builder.Configuration).AddBuiltIns();
            using var host = builder.Build();
            var error = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => host.StartAsync())!;
            Assert.That(error.Message, Does.Contain(expected), key);
        }
    }

    [Test]
    public async Task A_run_configured_in_code_computes_what_the_same_run_from_configuration_computes()
    {
        var fromConfiguration = Path.Combine(Folder, "configured");
        var (code, stdout, stderr) = Run(TinyTraining.Settings("gigpo", fromConfiguration));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);

        var inCode = Path.Combine(Folder, "in-code");
        var services = new ServiceCollection();
        services.AddGiGpoNet(o =>
        {
            o.Algorithm = "gigpo";
            o.Environment = "sokoban";
            o.Iterations = 2;
            o.Groups = 2;
            o.GroupSize = 2;
            o.EvaluationTasks = 2;
            o.OutputDirectory = inCode;
        }).AddBuiltIns();
        services.Configure<WarmStartOptions>(o => (o.Episodes, o.Epochs) = (2, 1));
        services.Configure<RolloutOptions>(o => (o.MaxSteps, o.MaxNewTokens, o.RequireThinkTags) = (3, 6, false));
        services.Configure<GiGpoNet.Backend.PolicyModelOptions>(o =>
            (o.Layers, o.HiddenSize, o.IntermediateSize, o.Heads, o.KeyValueHeads) = (1, 32, 64, 2, 1));
        services.Configure<UpdateOptions>(o => (o.MiniBatchSize, o.MicroBatchSize, o.LearningRate) = (8, 4, 0.001));
        await using (var provider = services.BuildServiceProvider())
        {
            provider.ValidateGiGpoNetConfiguration();
            await foreach (var _ in provider.GetRequiredService<AgentTrainer>().RunAsync())
            {
            }
        }
        TinyTraining.AssertSameMetrics(fromConfiguration, inCode);
        Assert.That(File.ReadAllText(Path.Combine(inCode, "configuration.json")), Does.Contain("\"HiddenSize\": 32"), "the typed settings are the run's record");
        var metrics = File.ReadAllLines(Path.Combine(inCode, "metrics.csv"));
        var column = Array.IndexOf(metrics[0].Split(','), "step_group_multi_action_share");
        Assert.That(column, Is.GreaterThan(0), "a GiGPO run records what its step groups compare");
        Assert.That(metrics.Skip(1).Select(l => double.Parse(l.Split(',')[column], System.Globalization.CultureInfo.InvariantCulture)), Has.All.InRange(0.0, 1.0));
    }
}
