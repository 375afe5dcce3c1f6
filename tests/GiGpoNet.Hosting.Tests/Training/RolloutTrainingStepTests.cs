using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Data;
using GiGpoNet.Environments;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>One iteration over a fixed batch, a fake learner and a real or a broken estimator.</summary>
public sealed class RolloutTrainingStepTests
{
    private static RolloutBatch Batch() => RolloutBatch.Create(
    [
        new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Reward = 1, ResponseTokenIds = [1, 2], PromptTokenIds = [3] },
        new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Reward = 0, ResponseTokenIds = [1], PromptTokenIds = [3] },
        new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 1, Reward = 0, Active = false, ResponseTokenIds = [4, 4, 4], PromptTokenIds = [3] },
    ]);

    private sealed class FixedSource(RolloutBatch batch) : IRolloutSource
    {
        public RolloutRequest? Request { get; private set; }
        public RolloutFields ProvidedFields => batch.Fields;

        public ValueTask<RolloutResult> CollectAsync(IPolicy policy, RolloutRequest request, CancellationToken cancellationToken = default)
        {
            Request = request;
            return ValueTask.FromResult(new RolloutResult(batch,
                [new EpisodeOutcome("g", "a", "t", true, null, 1, 1, 0, false, null), new EpisodeOutcome("g", "b", "t", false, null, 1, 0, 0, true, null)]));
        }
    }

    private sealed class NaNEstimator : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => RolloutFields.None;
        public AdvantageResult Estimate(RolloutBatch batch) => AdvantageResult.PerRow([double.NaN, 0, 0]);
    }

    [Test]
    public async Task A_rollout_whose_every_trajectory_failed_before_its_first_step_skips_the_update_and_leaves_the_weights()
    {
        var learner = new FakeLearner();
        var step = new RolloutTrainingStep(new FixedSource(RolloutBatch.Create([])), new GrpoAdvantageEstimator(new GrpoOptions()),
            new TrainingOptions { Groups = 1, GroupSize = 2 });

        var outcome = await step.RunAsync(learner, learner.Policy, iteration: 1, environmentStepsBefore: 10);

        Assert.That(learner.Calls, Is.Empty, "nothing to prepare or update");
        Assert.That(outcome.EnvironmentSteps, Is.EqualTo(10));
        Assert.That(outcome.Metrics[MetricNames.SkippedSteps], Is.EqualTo(1));
        Assert.That(outcome.Metrics[MetricNames.UpdateSeconds], Is.Zero);
    }

    [Test]
    public async Task It_collects_prepares_estimates_and_updates_and_reports_the_advantages_of_active_tokens()
    {
        var source = new FixedSource(Batch());
        var learner = new FakeLearner();
        var training = new TrainingOptions { Groups = 1, GroupSize = 2, Seed = 3 };
        var step = new RolloutTrainingStep(source, new GrpoAdvantageEstimator(new GrpoOptions()), training);

        var outcome = await step.RunAsync(learner, learner.Policy, iteration: 4, environmentStepsBefore: 100);

        Assert.That(source.Request, Is.EqualTo(new RolloutRequest(1, 2, DatasetSplit.Train, 3 * 100_003 + 4, 1.0)));
        Assert.That(learner.Calls, Is.EqualTo(new[] { "prepare", "update" }));
        Assert.That(outcome.EnvironmentSteps, Is.EqualTo(102), "two active rows");
        var metrics = outcome.Metrics;
        Assert.That(metrics[MetricNames.EnvironmentSteps], Is.EqualTo(102));
        Assert.That(metrics[MetricNames.SuccessRate], Is.EqualTo(0.5));
        Assert.That(metrics["pg_loss"], Is.EqualTo(0.5), "the learner's metrics");
        // GRPO with std: +0.7071 for both tokens of a, -0.7071 for b's one token; the inactive row's three tokens do not count.
        Assert.That(metrics["adv_max"], Is.EqualTo(0.7071).Within(1e-4));
        Assert.That(metrics["adv_min"], Is.EqualTo(-0.7071).Within(1e-4));
        Assert.That(metrics["adv_mean"], Is.EqualTo(0.7071 / 3).Within(1e-4));
        Assert.That(metrics.ContainsKey(MetricNames.SkippedSteps), Is.False);
        Assert.That(metrics.Keys.Take(2), Is.EqualTo(new[] { MetricNames.RolloutSeconds, MetricNames.SuccessRate }), "the recorded order");
    }

    [Test]
    public async Task A_non_finite_advantage_skips_the_update()
    {
        var learner = new FakeLearner();
        var step = new RolloutTrainingStep(new FixedSource(Batch()), new NaNEstimator(), new TrainingOptions());
        var outcome = await step.RunAsync(learner, learner.Policy, 1, 0);
        Assert.That(learner.Calls, Is.EqualTo(new[] { "prepare" }));
        Assert.That(outcome.Metrics[MetricNames.SkippedSteps], Is.EqualTo(1));
    }
}
