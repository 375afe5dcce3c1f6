using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Algorithms.Ppo;
using GiGpoNet.Data;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Tests;

public sealed class AlgorithmSelectionTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IGiGpoNetBuilder>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        var builder = services.AddGiGpoNet(configuration).AddTorchSharpLearner().AddBuiltInAlgorithms();
        more?.Invoke(builder);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static IAdvantageEstimator Selected(ServiceProvider provider) =>
        provider.GetRequiredService<IAdvantageEstimatorProvider>().Get(provider.GetRequiredService<IOptions<TrainingOptions>>().Value.Algorithm);

    [TestCase("gigpo", typeof(GiGpoAdvantageEstimator))]
    [TestCase("GiGPO", typeof(GiGpoAdvantageEstimator))]
    [TestCase(" grpo ", typeof(GrpoAdvantageEstimator))]
    [TestCase("RLOO", typeof(RlooAdvantageEstimator))]
    [TestCase("reinforce_plus_plus", typeof(ReinforcePlusPlusAdvantageEstimator))]
    [TestCase("Reinforce_Plus_Plus_Baseline", typeof(ReinforcePlusPlusBaselineAdvantageEstimator))]
    [TestCase("ppo", typeof(GaeAdvantageEstimator))]
    public void The_algorithm_is_chosen_by_name_from_configuration(string name, Type expected)
    {
        using var provider = Build(new() { ["Training:Algorithm"] = name });
        provider.ValidateGiGpoNetConfiguration();
        Assert.That(Selected(provider), Is.TypeOf(expected));
    }

    [Test]
    public void The_default_algorithm_is_gigpo()
    {
        using var provider = Build([]);
        provider.ValidateGiGpoNetConfiguration();
        Assert.That(Selected(provider), Is.TypeOf<GiGpoAdvantageEstimator>());
    }

    [Test]
    public void An_unknown_algorithm_fails_at_start_up_with_one_line_listing_the_registered_names()
    {
        using var provider = Build(new() { ["Training:Algorithm"] = "gigp0" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.Not.Contain('\n'));
        Assert.That(e.Message, Does.Contain("Training:Algorithm = 'gigp0' is not a registered advantage estimator"));
        Assert.That(e.Message, Does.Contain("Registered: gigpo, grpo, ppo, reinforce_plus_plus, reinforce_plus_plus_baseline, rloo."));
        Assert.That(e.Message, Does.Contain("AddAdvantageEstimator"));
    }

    [Test]
    public void The_provider_refuses_an_unknown_name_with_the_registered_names()
    {
        using var provider = Build([]);
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.GetRequiredService<IAdvantageEstimatorProvider>().Get("ppo2"));
        Assert.That(e!.Message, Does.Contain("'ppo2'").And.Contain("gigpo, grpo"));
    }

    [Test]
    public void Options_are_bound_from_the_algorithm_section_with_reference_spellings()
    {
        using var provider = Build(new()
        {
            ["Algorithms:gigpo:Mode"] = "mean_std_norm",
            ["Algorithms:gigpo:gamma"] = "0.9",
            ["Algorithms:gigpo:StatisticsScope"] = "false",
            ["Algorithms:grpo:NormalizeByStd"] = "false",
        });
        provider.ValidateGiGpoNetConfiguration();
        var gigpo = provider.GetRequiredService<IOptionsMonitor<GiGpoOptions>>().Get("gigpo");
        Assert.That(gigpo.Mode, Is.EqualTo(AdvantageNormalization.MeanStdNorm));
        Assert.That(gigpo.Gamma, Is.EqualTo(0.9));
        Assert.That(gigpo.StatisticsScope, Is.EqualTo(GroupStatisticsScope.Trajectories));
        Assert.That(provider.GetRequiredService<IOptionsMonitor<GrpoOptions>>().Get("grpo").NormalizeByStd, Is.False);
    }

    [Test]
    public void An_unknown_key_is_an_error_that_lists_the_known_keys()
    {
        using var provider = Build(new() { ["Algorithms:gigpo:Gama"] = "0.9" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.StartWith("Algorithms:gigpo:Gama is not a known setting").And.Contain("Gamma"));
    }

    [Test]
    public void Subsections_and_lists_bind_and_an_unknown_key_inside_a_subsection_is_an_error()
    {
        using (var provider = Build(new()
               {
                   ["Policy:Lora:Rank"] = "8", ["Policy:Lora:TargetModules:0"] = "q_proj", ["Policy:Lora:TargetModules:1"] = "v_proj",
                   ["Rollout:StopStrings:0"] = "</answer>",
               }))
        {
            var policy = provider.GetRequiredService<IOptions<GiGpoNet.Backend.PolicyModelOptions>>().Value;
            Assert.That(policy.Lora.Rank, Is.EqualTo(8));
            Assert.That(policy.Lora.Alpha, Is.EqualTo(16), "a default of the subsection is kept");
            Assert.That(policy.Lora.TargetModules, Is.EqualTo(new[] { "q_proj", "v_proj" }));
            Assert.That(provider.GetRequiredService<IOptions<GiGpoNet.Environments.Rollouts.RolloutOptions>>().Value.StopStrings, Is.EqualTo(new[] { "</answer>" }),
                "a list replaces the default, not appended to it");
        }
        using var typo = Build(new() { ["Policy:Lora:Rnak"] = "8" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => typo.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.StartWith("Policy:Lora:Rnak is not a known setting").And.Contain("Rank"));
    }

    [Test]
    public void An_unknown_training_key_is_an_error()
    {
        using var provider = Build(new() { ["Training:Algoritm"] = "grpo" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.StartWith("Training:Algoritm is not a known setting"));
    }

    [Test]
    public void A_value_that_does_not_convert_names_the_key_and_the_accepted_values()
    {
        using var provider = Build(new() { ["Algorithms:gigpo:Mode"] = "zscore" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.Contain("Algorithms:gigpo:Mode = 'zscore'").And.Contain("mean_norm, mean_std_norm"));
    }

    [Test]
    public async Task The_shop_search_mode_is_bound_from_the_environment_section_and_a_wrong_value_is_refused_at_start_up()
    {
        using (var provider = Build(new() { ["Environments:shop:Search"] = "Instruction" }, b => b.AddBuiltInEnvironments()))
        {
            provider.ValidateGiGpoNetConfiguration();
            await using var shop = provider.GetRequiredKeyedService<GiGpoNet.Environments.IEnvironmentFactory>("shop").Create();
            var start = await shop.ResetAsync(new GiGpoNet.Environments.EnvironmentReset(3, GiGpoNet.Environments.DatasetSplit.Train));
            Assert.That(start.AdmissibleActions, Is.EqualTo(new[] { $"search[{start.Task}]" }));
        }

        using var wrong = Build(new() { ["Environments:shop:Search"] = "typed" }, b => b.AddBuiltInEnvironments());
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => wrong.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.Contain("Environments:shop:Search").And.Contain("Free, Instruction"));
    }

    [Test]
    public void A_wrong_shop_titles_value_is_refused_at_start_up_naming_the_choices()
    {
        using var wrong = Build(new() { ["Environments:shop:Titles"] = "Long" }, b => b.AddBuiltInEnvironments());
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => wrong.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.Contain("Environments:shop:Titles").And.Contain("Short, Full"));
    }

    [Test]
    public void An_out_of_range_value_is_refused_at_start_up_naming_the_key()
    {
        using var provider = Build(new() { ["Algorithms:gigpo:Gamma"] = "-1.5", ["Algorithms:ppo:Lambda"] = "-1" });
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => provider.ValidateGiGpoNetConfiguration());
        Assert.That(e!.Message, Does.Contain("Algorithms:gigpo:Gamma = -1.5 must be a finite number of 0 or more"));
        Assert.That(e.Message, Does.Contain("Algorithms:ppo:Lambda = -1 must be a finite number of 0 or more"));
    }

    [Test]
    public void A_custom_estimator_is_selectable_like_the_built_in_ones()
    {
        using var provider = Build(new() { ["Training:Algorithm"] = "constant", ["Algorithms:constant:Value"] = "2.5" },
            b => b.AddAdvantageEstimator<ConstantEstimator, ConstantOptions>("constant"));
        provider.ValidateGiGpoNetConfiguration();
        var estimator = Selected(provider);
        var batch = RolloutBatch.Create([new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 0 }]);
        Assert.That(estimator.Estimate(batch).RowAdvantage(0), Is.EqualTo(2.5));
    }

    [Test]
    public void Registering_twice_is_harmless_but_one_name_cannot_mean_two_types()
    {
        using var provider = Build([], b => b.AddGiGpo());
        Assert.That(provider.GetRequiredService<IAdvantageEstimatorProvider>().Names, Has.Count.EqualTo(6));
        Assert.Throws<InvalidOperationException>(() => Build([], b => b.AddAdvantageEstimator<ConstantEstimator, ConstantOptions>("gigpo")));
    }

    public sealed class ConstantOptions : AdvantageEstimatorOptions
    {
        public double Value { get; set; }
    }

    public sealed class ConstantEstimator(ConstantOptions options) : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => RolloutFields.None;

        public AdvantageResult Estimate(RolloutBatch batch) => AdvantageResult.PerRow(Enumerable.Repeat(options.Value, batch.RowCount).ToArray());
    }
}
