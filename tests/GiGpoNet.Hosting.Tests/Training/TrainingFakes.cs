using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>Fakes of the trainer's parts that record what the orchestrator asks of them; none needs libtorch.</summary>
internal sealed class FakeLearner : ILearner
{
    public List<string> Calls { get; } = [];
    public ReinforcementStart? Started { get; private set; }
    public string? StartedFrom { get; init; }
    public bool Disposed { get; private set; }
    public IPolicy Policy { get; } = new FakePolicy();

    public IReadOnlyList<double> WarmStart(IReadOnlyList<Demonstration> demonstrations, SupervisedSettings settings, CancellationToken cancellationToken = default)
    {
        Calls.Add("warm_start");
        return [1.0];
    }

    public void BeginReinforcement(ReinforcementStart start)
    {
        Calls.Add("begin");
        Started = start;
    }

    public RolloutBatch Prepare(RolloutBatch batch)
    {
        Calls.Add("prepare");
        return batch;
    }

    public IReadOnlyDictionary<string, double> Update(RolloutBatch batch, AdvantageResult advantages)
    {
        Calls.Add("update");
        return new Dictionary<string, double> { ["pg_loss"] = 0.5 };
    }

    public void SavePolicy(string folder) => Calls.Add("save_policy " + folder);

    public void SaveState(string folder) => Calls.Add("save_state");

    public void Dispose() => Disposed = true;
}

internal sealed class FakeLearnerFactory : ILearnerFactory
{
    public List<FakeLearner> Created { get; } = [];
    public LearnerCapabilities Capabilities { get; } = new("fake", RolloutFields.None, RolloutFields.None);
    public string WarmStartIdentity => "fake";
    public int CorpusDemonstrations => 0;

    public ILearner Create(LearnerStart start)
    {
        var learner = new FakeLearner { StartedFrom = start.PolicyFolder };
        Created.Add(learner);
        return learner;
    }
}

internal sealed class FakePolicy : IPolicy
{
    public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
        CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<PolicyGeneration>>([.. prompts.Select(_ => new PolicyGeneration("<action>wait</action>", [], [], [], false))]);
}

internal sealed class FakePolicyProvider : IPolicyProvider
{
    public ILearner? GivenLearner { get; private set; }
    public bool IsLearner => true;

    public IPolicy Get(ILearner? learner)
    {
        GivenLearner = learner;
        return learner!.Policy;
    }
}

internal sealed class FakeWarmStart(ILearnerFactory learners) : IWarmStart
{
    public int Runs { get; private set; }

    public async Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default)
    {
        Runs++;
        await Task.Yield();
        events.Report(new TrainingEvent(TrainingEventKind.WarmStart, 0, new Dictionary<string, double> { [MetricNames.SuccessRate] = 0.25 }));
        return new WarmStartResult(learners.Create(new LearnerStart(null, [], 1)), 0.25);
    }
}

internal sealed class FakeStep : ITrainingStep
{
    public List<int> Iterations { get; } = [];

    public Task<IterationOutcome> RunAsync(ILearner learner, IPolicy policy, int iteration, long environmentStepsBefore, CancellationToken cancellationToken = default)
    {
        Iterations.Add(iteration);
        return Task.FromResult(new IterationOutcome(new Dictionary<string, double> { [MetricNames.SuccessRate] = iteration / 10.0 }, environmentStepsBefore + 10));
    }
}

internal sealed class FakeEvaluator : IEvaluator
{
    public int Evaluations { get; private set; }

    public Task<Dictionary<string, double>> EvaluateAsync(IPolicy policy, CancellationToken cancellationToken = default)
    {
        Evaluations++;
        return Task.FromResult(new Dictionary<string, double> { [MetricNames.SuccessRate] = 0.5 + Evaluations / 100.0 });
    }
}

internal sealed class FakeCheckpointStore(string? latest = null, CheckpointState? state = null) : ICheckpointStore
{
    public List<CheckpointState> Saved { get; } = [];

    public string? Latest(string runFolder) => latest;

    public CheckpointState Verify(string checkpoint) => state ?? throw new InvalidDataException("no checkpoint");

    public TrainingEvent Save(string runFolder, CheckpointState checkpointState, ILearner learner, string configuration)
    {
        learner.SaveState(runFolder);
        Saved.Add(checkpointState);
        return new TrainingEvent(TrainingEventKind.Checkpoint, checkpointState.Iteration, new Dictionary<string, double> { ["saved"] = 1 });
    }
}

internal sealed class FakeRecorderFactory : IRunRecorderFactory
{
    public List<TrainingEvent> Recorded { get; } = [];
    public int? ResumedAfter { get; private set; }
    public IReadOnlyDictionary<string, object>? Summary { get; private set; }

    public IRunRecorder Open(string folder, int? resumedAfter)
    {
        ResumedAfter = resumedAfter;
        return new Recorder(this);
    }

    private sealed class Recorder(FakeRecorderFactory owner) : IRunRecorder
    {
        public TrainingEvent Record(TrainingEvent trainingEvent)
        {
            owner.Recorded.Add(trainingEvent);
            return trainingEvent;
        }

        public void WriteConfiguration(string configuration)
        {
        }

        public string? WriteSummary(IReadOnlyDictionary<string, object> summary, string title)
        {
            owner.Summary = summary;
            return null;
        }

        public void Dispose()
        {
        }
    }
}
