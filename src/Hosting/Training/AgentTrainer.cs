using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The training loop: a warm start (or the checkpoint it resumes), then per iteration one <see cref="ITrainingStep"/>, an evaluation every
/// <c>Training:EvaluationInterval</c> iterations and a checkpoint every <c>Training:CheckpointInterval</c> (and of iteration 0, after the warm
/// start); each part is a service of its own.
/// Streams its progress as <see cref="TrainingEvent"/>s, records them, and honours cancellation between phases.
/// </summary>
public sealed class AgentTrainer(
    TrainingOptions training, RunDescription run, ILearnerFactory learners, IPolicyProvider policies, IWarmStart warmStart, ITrainingStep step,
    IEvaluator evaluator, ICheckpointStore checkpoints, IRunRecorderFactory recorders, ILogger<AgentTrainer>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>The file in the run folder (and in each checkpoint) that holds the effective configuration of the run.</summary>
    public const string ConfigurationFileName = "configuration.json";

    /// <summary>The seed of the evaluation tasks: the same held-out tasks at every evaluation, and for <c>gigpo eval</c>.</summary>
    public const long EvaluationSeed = 7_777_777;

    /// <summary>The run folder.</summary>
    public string OutputDirectory { get; } = training.ResolveOutputDirectory();

    /// <summary>The run's effective configuration as indented JSON (see <see cref="RunDescription.EffectiveConfiguration"/>).</summary>
    public string EffectiveConfiguration() => run.EffectiveConfiguration;

    /// <summary>Runs the warm start, its events written to <paramref name="events"/>, which is completed when it ends, however it ends.</summary>
    private async Task<WarmStartResult> WarmStartAsync(ChannelWriter<TrainingEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            return await warmStart.RunAsync(new ActionProgress<TrainingEvent>(e => events.TryWrite(e)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            events.TryComplete();
        }
    }

    /// <summary>Runs the whole training and yields its events as they happen.</summary>
    public async IAsyncEnumerable<TrainingEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        var resumeFrom = training.Resume ? checkpoints.Latest(OutputDirectory) : null;
        var resumed = resumeFrom is null ? null : Resumable(checkpoints.Verify(resumeFrom), checkpoints.Configuration(resumeFrom));
        TrainerLog.Starting(_logger, run.Algorithm, run.Environment, training.Seed, OutputDirectory);
        if (resumed is not null) TrainerLog.Resuming(_logger, resumeFrom!, resumed.Iteration);
        using var recorder = recorders.Open(OutputDirectory, resumed?.Iteration);
        recorder.WriteConfiguration(run.EffectiveConfiguration);
        var wallBefore = resumed?.WallSeconds ?? 0; // a resumed run counts the time its checkpoint had kept

        WarmStartResult warm;
        if (resumeFrom is not null) warm = new WarmStartResult(learners.Create(new LearnerStart(resumeFrom, [], training.Seed)), resumed!.WarmStartSuccess);
        else
        {
            // The warm start's events stream out as they happen (a run waiting for another's warm start says so at once).
            var events = Channel.CreateUnbounded<TrainingEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var running = WarmStartAsync(events.Writer, cancellationToken);
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false)) yield return Record(recorder, e);
            warm = await running.ConfigureAwait(false);
        }
        var learner = warm.Learner ?? throw new InvalidOperationException($"{warmStart.GetType().Name} returned no learner.");
        using var owned = learner;
        TrainerLog.Learner(_logger, string.Join(", ", learner.Description.Select(p => $"{p.Key} {p.Value}")));
        // The RL stage draws from the same random stream whether the warm start was trained here, taken from the cache, or skipped.
        learner.BeginReinforcement(new ReinforcementStart(run.NeedsCritic, resumeFrom, resumed is null ? unchecked(training.Seed * 7 + 3) : null));
        var policy = policies.Get(learner);
        CheckpointState State(int iteration, long environmentSteps) => new(iteration, environmentSteps, warm.Success, run.Algorithm, run.Environment,
            training.Seed, wallBefore + wall.Elapsed.TotalSeconds);
        // The warm-started learner is kept as iteration 0: a run that fails before its first checkpoint interval resumes after the warm
        // start instead of training it again.
        if (resumed is null && training.CheckpointInterval > 0)
            yield return Record(recorder, checkpoints.Save(OutputDirectory, State(0, 0), learner, run.EffectiveConfiguration));

        var environmentSteps = resumed?.EnvironmentSteps ?? 0;
        var lastIteration = resumed?.Iteration ?? 0;
        var lastEvaluation = new Dictionary<string, double>();
        var evaluatedAt = -1;
        for (var iteration = lastIteration + 1; iteration <= training.Iterations && !BudgetSpent(environmentSteps); iteration++)
        {
            lastIteration = iteration;
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = await step.RunAsync(learner, policy, iteration, environmentSteps, cancellationToken).ConfigureAwait(false);
            environmentSteps = outcome.EnvironmentSteps;
            yield return Record(recorder, new TrainingEvent(TrainingEventKind.Iteration, iteration, outcome.Metrics));

            var last = iteration == training.Iterations || BudgetSpent(environmentSteps);
            if ((training.EvaluationInterval > 0 && iteration % training.EvaluationInterval == 0) || last)
            {
                lastEvaluation = await evaluator.EvaluateAsync(learner.Policy, cancellationToken).ConfigureAwait(false);
                evaluatedAt = iteration;
                yield return Record(recorder, new TrainingEvent(TrainingEventKind.Evaluation, iteration, lastEvaluation));
            }
            if ((training.CheckpointInterval > 0 && iteration % training.CheckpointInterval == 0) || last)
                yield return Record(recorder, checkpoints.Save(OutputDirectory, State(iteration, environmentSteps), learner, run.EffectiveConfiguration));
        }

        if (evaluatedAt != lastIteration) lastEvaluation = await evaluator.EvaluateAsync(learner.Policy, cancellationToken).ConfigureAwait(false);
        learner.SavePolicy(Path.Combine(OutputDirectory, "checkpoints", "final"));
        var summary = Summary(lastIteration, environmentSteps, warm.Success, lastEvaluation, wallBefore + wall.Elapsed.TotalSeconds);
        foreach (var (key, value) in learner.Description) summary[key] = value;
        TrainerLog.Finished(_logger, lastIteration, lastEvaluation.GetValueOrDefault(MetricNames.SuccessRate, double.NaN), environmentSteps);
        var chartWarning = recorder.WriteSummary(summary, $"{run.Algorithm} on {run.Environment}, seed {training.Seed}");
        yield return Record(recorder, new TrainingEvent(TrainingEventKind.Finished, lastIteration,
            summary.Where(p => p.Value is double or long or int).ToDictionary(p => p.Key, p => Convert.ToDouble(p.Value, CultureInfo.InvariantCulture)),
            chartWarning));
    }

    /// <summary>Records an event and logs it (its warning as a warning).</summary>
    private TrainingEvent Record(IRunRecorder recorder, TrainingEvent trainingEvent)
    {
        var recorded = recorder.Record(trainingEvent);
        TrainerLog.Event(_logger, recorded.Kind, recorded.Iteration, recorded.Metrics.GetValueOrDefault(MetricNames.SuccessRate, double.NaN));
        if (recorded.Warning is not null) TrainerLog.Warning(_logger, recorded.Kind, recorded.Iteration, recorded.Warning);
        return recorded;
    }

    /// <summary>
    /// The checkpoint's state when this run may resume it: the same algorithm, environment and seed, and every setting that decides what
    /// the run computes as the checkpoint had it (<see cref="RunFingerprint.Purpose.Resume"/>); only what extends or observes a run may
    /// change.
    /// </summary>
    private CheckpointState Resumable(CheckpointState state, string? configuration)
    {
        const string waysOut = "Choose another Training:OutputDirectory for a new run, or set Training:Resume=false to start over in this one.";
        if (state.Algorithm != run.Algorithm || state.Environment != run.Environment || state.Seed != training.Seed)
            throw new GiGpoNetConfigurationException(
                $"The run folder '{OutputDirectory}' holds a checkpoint of {state.Algorithm} on {state.Environment} with seed {state.Seed}, not of " +
                $"{run.Algorithm} on {run.Environment} with seed {training.Seed}. {waysOut}");
        if (configuration is null) return state;
        var differences = RunFingerprint.Of(configuration, RunFingerprint.Purpose.Resume)
            .Differences(RunFingerprint.Of(run.EffectiveConfiguration, RunFingerprint.Purpose.Resume));
        return differences.Count == 0 ? state : throw new GiGpoNetConfigurationException(
            $"The run folder '{OutputDirectory}' holds a checkpoint trained with other settings than this run's, and resuming would mix the two: " +
            string.Join("; ", differences.Select(d => $"{d.Key} was {d.Mine ?? "unset"}, is now {d.Theirs ?? "unset"}")) + $". {waysOut} (Only " +
            "Training:Iterations, EnvironmentStepBudget, EvaluationInterval, CheckpointInterval, KeepCheckpoints and Backend:Threads may change on resume.)");
    }

    private bool BudgetSpent(long environmentSteps) => training.EnvironmentStepBudget > 0 && environmentSteps >= training.EnvironmentStepBudget;

    private Dictionary<string, object> Summary(int iterations, long environmentSteps, double warmStartSuccess, Dictionary<string, double> evaluation,
        double wallSeconds)
    {
        var summary = new Dictionary<string, object>
        {
            ["algorithm"] = run.Algorithm,
            ["environment"] = run.Environment,
            ["seed"] = training.Seed,
            ["iterations"] = iterations,
            [MetricNames.EnvironmentSteps] = environmentSteps,
            [MetricNames.WarmStartSuccess] = warmStartSuccess,
            [MetricNames.FinalSuccess] = evaluation.GetValueOrDefault(MetricNames.SuccessRate, double.NaN),
            [MetricNames.WallSeconds] = wallSeconds,
            [MetricNames.PeakMemoryMegabytes] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024),
        };
        foreach (var (key, value) in evaluation.Where(p => p.Key.StartsWith(MetricNames.SuccessRate + "/", StringComparison.Ordinal)))
            summary["final_" + key] = value;
        return summary;
    }
}
