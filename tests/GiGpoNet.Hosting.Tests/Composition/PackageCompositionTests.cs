using System.Reflection;
using System.Text.Json;
using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests.Composition;

/// <summary>
/// The training core (GiGpoNet.Hosting) knows no package: each registers itself and declares its configuration sections, which are then
/// the known sections and what a run's configuration.json records.
/// </summary>
public sealed class PackageCompositionTests
{
    private static readonly string[] HeavyDependencies = ["TorchSharp", "Lucene.Net", "Microsoft.AspNetCore", "Microsoft.ML", "GiGpoNet.Backend"];

    [Test]
    public void The_core_and_an_estimator_package_reference_neither_torchsharp_nor_lucene_nor_aspnet_core()
    {
        foreach (var assembly in new[] { typeof(AgentTrainer).Assembly, typeof(GiGpoAdvantageEstimator).Assembly })
        {
            var closure = Closure(assembly);
            Assert.That(closure.Where(n => HeavyDependencies.Any(h => n.StartsWith(h, StringComparison.Ordinal))), Is.Empty,
                $"{assembly.GetName().Name} depends on {string.Join(", ", closure)}");
        }
        Assert.That(Closure(typeof(TorchSharpBuilderExtensions).Assembly), Does.Contain("TorchSharp"), "the check sees a real dependency");
    }

    [Test]
    public void An_estimator_only_host_validates_and_estimates_and_asking_it_to_train_names_the_package_to_add()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Training:Algorithm"] = "gigpo", ["Algorithms:gigpo:Gamma"] = "0.9",
        }).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddGiGpo();
        using var provider = services.BuildValidatedGiGpoNetProvider();

        var estimator = provider.GetRequiredService<IAdvantageEstimatorProvider>().Get("gigpo");
        Assert.That(estimator, Is.InstanceOf<GiGpoAdvantageEstimator>());
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => provider.GetRequiredService<AgentTrainer>());
        Assert.That(error!.Message, Does.Contain("No learner is registered").And.Contain("AddTorchSharpLearner()").And.Contain("AddBuiltIns()"));
    }

    [Test]
    public void A_section_is_known_once_its_package_declares_it_and_the_misspelt_one_names_the_closest()
    {
        var settings = new Dictionary<string, string?> { ["Update:LearningRate"] = "0.001" };
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => Build(settings, b => b.AddGiGpo()).Dispose());
        Assert.That(error!.Message, Does.Contain("'Update' is not a known configuration section"), "the core alone reads no Update section");

        using (var provider = Build(settings, b => b.AddGiGpo().AddTorchSharpLearner()))
            Assert.That(provider.GetRequiredService<IOptions<GiGpoNet.Backend.Training.UpdateOptions>>().Value.LearningRate, Is.EqualTo(0.001));

        error = Assert.Throws<GiGpoNetConfigurationException>(() => Build(new() { ["Probes:Cout"] = "3" }, b => b.AddGiGpo().AddProbes()).Dispose());
        Assert.That(error!.Message, Does.Contain("Probes:Cout is not a known setting").And.Contain("Count"), "a plugin's section binds strictly");
        error = Assert.Throws<GiGpoNetConfigurationException>(() => Build(new() { ["Probe:Count"] = "3" }, b => b.AddGiGpo().AddProbes()).Dispose());
        Assert.That(error!.Message, Does.Contain("Did you mean 'Probes'"));
        error = Assert.Throws<GiGpoNetConfigurationException>(() => Build(new() { ["Probes:Count"] = "-1" }, b => b.AddGiGpo().AddProbes()).Dispose());
        Assert.That(error!.Message, Does.Contain("Probes:Count = -1 must be 0 or more"), "its validation runs at start-up");
    }

    [Test]
    public void A_run_records_every_declared_options_section_a_plugins_included_and_the_chosen_policys_keys_without_secrets()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Training:Environment"] = "sokoban", ["Probes:Count"] = "5", ["Training:Policy"] = "openai",
            ["Policies:openai:BaseAddress"] = "http://127.0.0.1:9/v1", ["Policies:openai:Model"] = "m", ["Policies:openai:ApiKey"] = "secret",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddGiGpo().AddBuiltInEnvironments().AddTorchSharpLearner().AddOpenAiPolicy().AddProbes();
        using var provider = services.BuildServiceProvider();

        using var recorded = JsonDocument.Parse(RunConfiguration.Json(provider, configuration, "gigpo", "sokoban"));
        var sections = recorded.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(sections, Is.EqualTo(new[] { "Training", "WarmStart", "Rollout", "Policy", "Update", "Backend", "Probes", "Algorithms", "Environments", "Policies" }));
        Assert.That(recorded.RootElement.GetProperty("Probes").GetProperty("Count").GetInt32(), Is.EqualTo(5));
        Assert.That(recorded.RootElement.GetProperty("Probes").GetProperty("Label").GetString(), Is.EqualTo("probe"), "defaults filled in");
        var openai = recorded.RootElement.GetProperty("Policies").GetProperty("openai");
        Assert.That(openai.GetProperty("Model").GetString(), Is.EqualTo("m"));
        Assert.That(openai.TryGetProperty("ApiKey", out _), Is.False, "the API key stays out of the run's files");
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IGiGpoNetBuilder> register)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        register(services.AddGiGpoNet(configuration));
        return services.BuildValidatedGiGpoNetProvider();
    }

    /// <summary>The names of every assembly <paramref name="assembly"/> references, directly or through others, loaded from this test's output.</summary>
    private static SortedSet<string> Closure(Assembly assembly)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(assembly.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (!seen.Add(name.Name!) || name.Name!.StartsWith("System", StringComparison.Ordinal) || name.Name == "netstandard") continue;
            Assembly referenced;
            try
            {
                referenced = Assembly.Load(name);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            foreach (var next in referenced.GetReferencedAssemblies()) pending.Push(next);
        }
        return seen;
    }
}

/// <summary>A plugin's own section, declared when it registers itself.</summary>
internal sealed class ProbeOptions
{
    public int Count { get; set; } = 1;

    public string Label { get; set; } = "probe";
}

internal static class ProbeBuilderExtensions
{
    public static IGiGpoNetBuilder AddProbes(this IGiGpoNetBuilder builder)
    {
        builder.AddConfigurationSection<ProbeOptions>("Probes", o => o.Count < 0 ? [$"Probes:Count = {o.Count} must be 0 or more."] : []);
        return builder;
    }
}
