using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Plugins;
using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>The start-up check of how the estimator, the rollout source and the learner fit, by their declared capabilities.</summary>
public sealed class CompositionTests
{
    private sealed class Needs(RolloutFields fields, int minimumGroupSize = 1) : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => fields;
        public int MinimumGroupSize => minimumGroupSize;
        public AdvantageResult Estimate(RolloutBatch batch) => throw new NotSupportedException();
    }

    private static readonly LearnerCapabilities Torch = new("torchsharp", RolloutFields.Tokens, RolloutFields.OldLogProbs | RolloutFields.CriticValues);

    [Test]
    public void A_combination_that_works_passes()
    {
        var failures = CompositionValidator.Failures("gigpo", new Needs(RolloutFields.Anchors, 2), "environment",
            RolloutFields.Anchors | RolloutFields.Tokens, Torch, new TrainingOptions { GroupSize = 2 });
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void Critic_values_from_the_learner_count()
    {
        var failures = CompositionValidator.Failures("ppo", new Needs(RolloutFields.CriticValues), "environment", RolloutFields.Tokens, Torch, new TrainingOptions());
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void A_column_nobody_fills_names_the_estimator_the_source_the_learner_and_the_fix()
    {
        var failures = CompositionValidator.Failures("gigpo", new Needs(RolloutFields.Anchors), "replay", RolloutFields.Tokens, Torch, new TrainingOptions()).ToList();
        Assert.That(failures, Has.Count.EqualTo(1));
        Assert.That(failures[0], Does.Contain("gigpo needs anchor observations").And.Contain("rollout source 'replay'").And.Contain("learner 'torchsharp'")
            .And.Contain("choose another Training:Algorithm"));
    }

    [Test]
    public void A_source_without_the_learners_columns_is_refused()
    {
        var failures = CompositionValidator.Failures("grpo", new Needs(RolloutFields.None), "replay", RolloutFields.Anchors, Torch, new TrainingOptions()).ToList();
        Assert.That(failures.Single(), Does.StartWith("Training:RolloutSource = replay does not provide token ids, which the learner 'torchsharp' trains on"));
    }

    [Test]
    public void The_minimum_group_size_is_the_estimators_own_whatever_its_name()
    {
        var failures = CompositionValidator.Failures("my_relative", new Needs(RolloutFields.None, 3), "environment", RolloutFields.Tokens, Torch,
            new TrainingOptions { GroupSize = 2 }).ToList();
        Assert.That(failures.Single(), Is.EqualTo("Training:GroupSize = 2: 'my_relative' compares the trajectories of a group, so it needs at least 3."));
    }

    [TestCase("0.1.0", "0.1.0", null)]
    [TestCase("0.1.0", "0.1.5", null)]
    [TestCase("0.0.1", "0.1.0", "rebuild it against GiGpoNet.Abstractions 0.1.0")]
    [TestCase("0.1.0", "0.2.0", "rebuild it against GiGpoNet.Abstractions 0.2.0")]
    [TestCase("0.3.0", "0.2.0", "rebuild it against GiGpoNet.Abstractions 0.2.0")]
    [TestCase("1.0.0", "0.2.0", "rebuild it against GiGpoNet.Abstractions 0.2.0")]
    [TestCase("1.0.0", "1.2.0", null)]
    [TestCase("1.3.0", "1.2.0", "newer than this 1.2.0")]
    [TestCase("2.0.0", "1.2.0", "rebuild it against GiGpoNet.Abstractions 1.2.0")]
    public void A_plugin_runs_on_the_same_major_version_not_older_than_it_and_before_1_0_on_the_same_minor(string built, string host, string? problem)
    {
        var result = PluginCompatibility.Problem(Version.Parse(built), Version.Parse(host));
        if (problem is null) Assert.That(result, Is.Null);
        else Assert.That(result, Does.Contain(problem));
    }
}
