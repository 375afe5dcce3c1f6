using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>The orchestrator alone, over fakes of every part: what it asks of each, in which order, and what it records.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class AgentTrainerTests
{
    private readonly FakeLearnerFactory _learners = new();
    private readonly FakeStep _step = new();
    private readonly FakeEvaluator _evaluator = new();
    private readonly FakeRecorderFactory _recorders = new();
    private readonly FakePolicyProvider _policies = new();

    private static TrainingOptions Options() => new()
    {
        Iterations = 3, EvaluationInterval = 2, CheckpointInterval = 2, Seed = 5, OutputDirectory = Path.Combine(Path.GetTempPath(), "gigpo-fake-run"),
    };

    private AgentTrainer Trainer(TrainingOptions options, FakeWarmStart warmStart, FakeCheckpointStore checkpoints, bool critic = false) =>
        new(options, new RunDescription("gigpo", "household", critic, "{}"), _learners, _policies, warmStart, _step, _evaluator, checkpoints, _recorders);

    private static async Task<List<TrainingEvent>> All(AgentTrainer trainer)
    {
        var events = new List<TrainingEvent>();
        await foreach (var e in trainer.RunAsync()) events.Add(e);
        return events;
    }

    [Test]
    public async Task A_new_run_warm_starts_then_iterates_evaluates_and_checkpoints_at_their_intervals()
    {
        var warmStart = new FakeWarmStart(_learners);
        var checkpoints = new FakeCheckpointStore();
        var events = await All(Trainer(Options(), warmStart, checkpoints, critic: true));

        Assert.That(events.Select(e => $"{e.Kind} {e.Iteration}"), Is.EqualTo(new[]
        {
            "warm_start 0", "checkpoint 0", "iteration 1", "iteration 2", "evaluation 2", "checkpoint 2", "iteration 3", "evaluation 3", "checkpoint 3",
            "finished 3",
        }));
        Assert.That(_recorders.Recorded, Is.EqualTo(events), "every event is recorded as it is yielded");
        Assert.That(warmStart.Runs, Is.EqualTo(1));
        var learner = _learners.Created.Single();
        Assert.That(learner.Started, Is.EqualTo(new GiGpoNet.Learning.ReinforcementStart(true, null, 5 * 7 + 3)));
        Assert.That(_policies.GivenLearner, Is.SameAs(learner), "the rollout policy comes from the provider, given the learner");
        Assert.That(_step.Iterations, Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(checkpoints.Saved.Select(s => (s.Iteration, s.EnvironmentSteps, s.WarmStartSuccess)),
            Is.EqualTo(new[] { (0, 0L, 0.25), (2, 20L, 0.25), (3, 30L, 0.25) }), "the warm start as iteration 0, then the interval's and the last");
        Assert.That(learner.Calls.Last(), Does.StartWith("save_policy ").And.EndWith(Path.Combine("checkpoints", "final")));
        Assert.That(learner.Disposed, Is.True, "the trainer owns the learner");
        Assert.That(_recorders.Summary!["final_success"], Is.EqualTo(0.52), "the last evaluation's success");
        Assert.That(_recorders.Summary["env_steps"], Is.EqualTo(30L));
    }

    [Test]
    public async Task A_resumed_run_skips_the_warm_start_loads_the_checkpoint_and_continues_after_its_iteration()
    {
        var warmStart = new FakeWarmStart(_learners);
        var checkpoints = new FakeCheckpointStore("/runs/x/checkpoints/iter-000002", new CheckpointState(2, 20, 0.3, "gigpo", "household", 5, 12));
        var events = await All(Trainer(Options(), warmStart, checkpoints));

        Assert.That(warmStart.Runs, Is.Zero);
        Assert.That(_recorders.ResumedAfter, Is.EqualTo(2));
        var learner = _learners.Created.Single();
        Assert.That(learner.StartedFrom, Is.EqualTo("/runs/x/checkpoints/iter-000002"));
        Assert.That(learner.Started, Is.EqualTo(new GiGpoNet.Learning.ReinforcementStart(false, "/runs/x/checkpoints/iter-000002", null)),
            "a resumed run keeps the random stream its checkpoint restores");
        Assert.That(_step.Iterations, Is.EqualTo(new[] { 3 }));
        Assert.That(checkpoints.Saved.Single().EnvironmentSteps, Is.EqualTo(30), "steps continue from the checkpoint's");
        Assert.That((double)_recorders.Summary!["wall_seconds"], Is.GreaterThanOrEqualTo(12), "the checkpoint's wall time is kept");
        Assert.That(events[0].Kind, Is.EqualTo(TrainingEventKind.Iteration));
    }

    [Test]
    public void A_checkpoint_of_another_algorithm_is_refused_before_any_work()
    {
        var checkpoints = new FakeCheckpointStore("/runs/x/checkpoints/iter-000002", new CheckpointState(2, 20, 0.3, "grpo", "household", 5));
        var error = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => All(Trainer(Options(), new FakeWarmStart(_learners), checkpoints)));
        Assert.That(error!.Message, Does.Contain("holds a checkpoint of grpo on household with seed 5, not of gigpo").And.Contain("Training:Resume=false"));
        Assert.That(_learners.Created, Is.Empty);
    }

    [Test]
    public async Task A_step_budget_ends_the_run_early_with_a_last_evaluation_and_checkpoint()
    {
        var options = Options();
        options.Iterations = 10;
        options.EvaluationInterval = 0;
        options.CheckpointInterval = 0;
        options.EnvironmentStepBudget = 20;
        var checkpoints = new FakeCheckpointStore();
        var events = await All(Trainer(options, new FakeWarmStart(_learners), checkpoints));
        Assert.That(_step.Iterations, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(events.Select(e => e.Kind), Is.EqualTo(new[] { "warm_start", "iteration", "iteration", "evaluation", "checkpoint", "finished" }));
    }
}
