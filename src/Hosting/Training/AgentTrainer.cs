using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using GiGpoNet.Advantages;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Policies;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Reporting;
using GiGpoNet.Rollouts;
using TorchSharp;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The training loop. Optionally a supervised warm start on expert demonstrations; then, per iteration: collect G × N trajectories,
/// compute advantages with the configured estimator (critic values first, for PPO), recompute the old log-probabilities, update the
/// policy (and critic), and evaluate on held-out tasks every K iterations. Streams its progress as <see cref="TrainingEvent"/>s, writes
/// the run folder, and honours cancellation between phases. <c>componentSettings</c> (the chosen estimator's and environment's
/// settings, as <c>Algorithms</c> and <c>Environments</c> objects) are recorded with the core sections in the run folder's
/// <c>configuration.json</c> and in every checkpoint.
/// </summary>
public sealed class AgentTrainer(
    IAdvantageEstimator estimator, IEnvironmentFactory environment, TrainingOptions training, PolicyModelOptions policyOptions,
    WarmStartOptions warmStart, RolloutOptions rollout, UpdateOptions update, BackendOptions backend,
    IPromptBuilder prompts, IActionParser parser, IEpisodeMemoryFactory memories, JsonObject? componentSettings = null)
{
    /// <summary>The file in the run folder (and in each checkpoint) that holds the effective configuration of the run.</summary>
    public const string ConfigurationFileName = "configuration.json";

    /// <summary>The seed of the evaluation tasks: the same held-out tasks at every evaluation, and for <c>gigpo eval</c>.</summary>
    public const long EvaluationSeed = 7_777_777;

    /// <summary>The run folder.</summary>
    public string OutputDirectory { get; } = training.ResolveOutputDirectory();

    /// <summary>
    /// The run's effective configuration as indented JSON: every core section with its defaults filled in, then the
    /// component settings (the estimator's options under <c>Algorithms:&lt;name&gt;</c>, the environment's keys under
    /// <c>Environments:&lt;name&gt;</c>). Enums are written by name.
    /// </summary>
    public string EffectiveConfiguration()
    {
        var options = new JsonSerializerOptions { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
        var document = JsonSerializer.SerializeToNode(new
        {
            Training = training, Policy = policyOptions, WarmStart = warmStart, Rollout = rollout, Update = update, Backend = backend,
        }, options)!.AsObject();
        foreach (var (section, value) in componentSettings ?? []) document[section] = value?.DeepClone();
        return document.ToJsonString(options);
    }

    /// <summary>Runs the whole training and yields its events as they happen.</summary>
    public async IAsyncEnumerable<TrainingEvent> RunAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var wall = Stopwatch.StartNew();
        backend.ApplyProcessSettings();
        var device = backend.ResolveDevice();
        var dtype = backend.ResolveDtype();
        torch.manual_seed(training.Seed);
        var algorithm = training.Algorithm.Trim().ToLowerInvariant();
        var resumeFrom = training.Resume ? TrainingCheckpoint.Latest(OutputDirectory) : null;
        CheckpointState? resumed = null;
        if (resumeFrom is not null)
        {
            resumed = TrainingCheckpoint.Verify(resumeFrom);
            if (resumed.Algorithm != algorithm || resumed.Environment != environment.Description.Name || resumed.Seed != training.Seed)
                throw new GiGpoNetConfigurationException(
                    $"The run folder '{OutputDirectory}' holds a checkpoint of {resumed.Algorithm} on {resumed.Environment} with seed {resumed.Seed}, not of " +
                    $"{algorithm} on {environment.Description.Name} with seed {training.Seed}. Choose another Training:OutputDirectory, or set Training:Resume=false to start over.");
        }
        using var recorder = new RunRecorder(OutputDirectory, resumed?.Iteration);
        File.WriteAllText(Path.Combine(OutputDirectory, ConfigurationFileName), EffectiveConfiguration());
        var wallBefore = resumed?.WallSeconds ?? 0; // a resumed run counts the time its checkpoint had kept
        double WallSeconds() => wallBefore + wall.Elapsed.TotalSeconds;

        // Demonstrations: for the warm start, and for the vocabulary of a from-scratch policy (a resumed run has both already).
        var demonstrationCount = resumed is not null ? 0 : Math.Max(warmStart.Episodes, string.IsNullOrWhiteSpace(policyOptions.Path) ? 16 : 0);
        var demonstrations = demonstrationCount == 0 ? []
            : await ExpertDemonstrations.CollectAsync(environment, prompts, memories, rollout, demonstrationCount, unchecked(training.Seed * 31 + 5), cancellationToken,
                warmStart.ExplorationRate);

        var warmStarting = resumed is null && warmStart.Episodes > 0 && warmStart.Epochs > 0;
        var cacheEntry = warmStarting && !string.IsNullOrWhiteSpace(warmStart.CacheDirectory)
            ? Path.Combine(warmStart.CacheDirectory, WarmStartCache.Key(demonstrations, policyOptions, warmStart with { CacheDirectory = "" }, training.Seed,
                training.EvaluationTasks, training.EvaluationTemperature, rollout, backend.Dtype, device.type.ToString()))
            : null;
        var cached = cacheEntry is null ? null : WarmStartCache.TryLoadMetrics(cacheEntry);
        // Runs sharing this warm start (the cells of a grid that differ after it) take turns: one trains and stores it, the others load it.
        var warmStartTurn = cacheEntry is not null && cached is null ? WarmStartCache.TryTakeTurn(cacheEntry) : null;
        if (cacheEntry is not null && cached is null && warmStartTurn is null)
        {
            yield return recorder.Record(new TrainingEvent("waiting_for_warm_start", 0, new Dictionary<string, double>()));
            warmStartTurn = await WarmStartCache.TakeTurnAsync(cacheEntry, cancellationToken);
        }
        using var heldTurn = warmStartTurn;
        if (warmStartTurn is not null) cached = WarmStartCache.TryLoadMetrics(cacheEntry!);

        var (model, tokenizer) = resumeFrom is not null ? Loaded(PolicyCheckpoints.Load(Path.Combine(resumeFrom, "policy"), backend, policyOptions.MaxPromptTokens))
            : cached is not null ? Loaded(PolicyCheckpoints.Load(Path.Combine(cacheEntry!, "policy"), backend, policyOptions.MaxPromptTokens))
            : CreatePolicy(demonstrations, dtype, device);
        using var _ = model;
        var policy = new TorchPolicy(model, tokenizer, policyOptions.MaxPromptTokens);
        var source = new EnvironmentRolloutSource(environment, rollout, prompts, parser, memories);

        var warmStartSuccess = resumed?.WarmStartSuccess ?? double.NaN;
        if (cached is not null)
        {
            warmStartSuccess = cached["success_rate"];
            var warm = new TrainingEvent("warm_start", 0, new Dictionary<string, double>(cached) { ["cached"] = 1 });
            yield return recorder.Record(warm);
        }
        else if (warmStarting)
        {
            var clock = Stopwatch.StartNew();
            var rows = demonstrations
                .Select(d => (tokenizer.Encode(tokenizer.ApplyChatTemplate(d.Prompt)), (int[])[.. tokenizer.Encode(d.Response), tokenizer.EndOfTurnIds[0]]))
                .ToList();
            var losses = SupervisedFineTuning.Train(model, rows, warmStart.Epochs, warmStart.LearningRate, warmStart.BatchSize, tokenizer.PaddingId,
                training.Seed, cancellationToken);
            var evaluation = await EvaluateAsync(source, policy, cancellationToken);
            warmStartSuccess = evaluation["success_rate"];
            var metrics = new Dictionary<string, double>(evaluation)
            {
                ["demonstration_steps"] = rows.Count, ["sft_loss_first"] = losses[0], ["sft_loss_last"] = losses[^1], ["time_s"] = clock.Elapsed.TotalSeconds,
            };
            var cacheWarning = cacheEntry is null ? null : WarmStartCache.Store(cacheEntry, folder => PolicyCheckpoints.Save(model, tokenizer, folder), metrics);
            var warm = new TrainingEvent("warm_start", 0, metrics, cacheWarning);
            yield return recorder.Record(warm);
        }
        warmStartTurn?.Dispose();
        // The RL stage draws from the same random stream whether the warm start was trained here, taken from the cache, or skipped.
        if (resumed is null) torch.manual_seed(unchecked(training.Seed * 7 + 3));

        using var reference = update.UseKlLoss ? Clone(model) : null;
        using var critic = estimator.RequiredFields.HasFlag(RolloutFields.CriticValues) ? CreateCritic(model) : null;
        using var updater = new PolicyUpdater(model, update, tokenizer.PaddingId, reference, critic);
        if (resumeFrom is not null) TrainingCheckpoint.Restore(resumeFrom, model, reference, critic, updater);

        var environmentSteps = resumed?.EnvironmentSteps ?? 0;
        var lastEvaluation = new Dictionary<string, double>();
        var lastIteration = resumed?.Iteration ?? 0;
        var evaluatedAt = -1;
        for (var iteration = lastIteration + 1; iteration <= training.Iterations && !BudgetSpent(environmentSteps); iteration++)
        {
            lastIteration = iteration;
            cancellationToken.ThrowIfCancellationRequested();
            var metrics = new Dictionary<string, double>();
            var phase = Stopwatch.StartNew();
            var collected = await source.CollectAsync(policy,
                new RolloutRequest(training.Groups, training.GroupSize, DatasetSplit.Train, unchecked(training.Seed * 100_003 + iteration), training.Temperature),
                cancellationToken);
            metrics["time_rollout_s"] = phase.Elapsed.TotalSeconds;
            EpisodeMetrics.Add(metrics, collected.Episodes);
            var batch = collected.Batch;
            environmentSteps += batch.ActiveRowCount;
            metrics["env_steps"] = environmentSteps;

            phase.Restart();
            var active = Enumerable.Range(0, batch.RowCount).Where(r => batch.Active[r]).ToList();
            var allPairs = Enumerable.Range(0, batch.RowCount).Select(r => (batch.PromptTokenIds![r].ToArray(), batch.ResponseTokenIds![r].ToArray())).ToList();
            var pairs = active.Select(r => allPairs[r]).ToList();
            float[][]? values = null;
            if (critic is not null)
            {
                values = updater.Values(allPairs);
                batch = batch.WithCriticValues(values);
            }
            var oldLogProbs = updater.LogProbs(pairs);
            metrics["time_old_log_prob_s"] = phase.Elapsed.TotalSeconds;

            phase.Restart();
            var advantages = estimator.Estimate(batch);
            metrics["time_advantage_s"] = phase.Elapsed.TotalSeconds;
            foreach (var (key, value) in advantages.Metrics) metrics[key] = value;

            var rows = new List<TrainingRow>(active.Count);
            var flat = new List<double>();
            for (var i = 0; i < active.Count; i++)
            {
                var row = active[i];
                var perToken = new float[pairs[i].Item2.Length];
                advantages.CopyTokenAdvantages(row, perToken);
                flat.AddRange(perToken.Select(v => (double)v));
                rows.Add(new TrainingRow(pairs[i].Item1, pairs[i].Item2, oldLogProbs[i], perToken,
                    values?[row], advantages.TokenReturns is { } returns ? [.. returns[row].ToArray().Select(v => (float)v)] : null));
            }
            AddAdvantageMetrics(metrics, flat);

            phase.Restart();
            if (flat.All(double.IsFinite) && rows.Count > 0)
            {
                foreach (var (key, value) in updater.Update(rows).ToDictionary()) metrics[key] = value;
            }
            else
            {
                metrics["skipped_steps"] = 1; // a non-finite advantage: this iteration's update is skipped, the weights are untouched
            }
            metrics["time_update_s"] = phase.Elapsed.TotalSeconds;
            var total = metrics["time_rollout_s"] + metrics["time_old_log_prob_s"] + metrics["time_advantage_s"] + metrics["time_update_s"];
            metrics["advantage_time_share"] = total > 0 ? metrics["time_advantage_s"] / total : 0;

            var iterationEvent = new TrainingEvent("iteration", iteration, metrics);
            yield return recorder.Record(iterationEvent);

            var last = iteration == training.Iterations || BudgetSpent(environmentSteps);
            if ((training.EvaluationInterval > 0 && iteration % training.EvaluationInterval == 0) || last)
            {
                lastEvaluation = await EvaluateAsync(source, policy, cancellationToken);
                evaluatedAt = iteration;
                var evaluationEvent = new TrainingEvent("evaluation", iteration, lastEvaluation);
                yield return recorder.Record(evaluationEvent);
            }

            if ((training.CheckpointInterval > 0 && iteration % training.CheckpointInterval == 0) || last)
            {
                var saved = SaveCheckpoint(new CheckpointState(iteration, environmentSteps, warmStartSuccess, algorithm, environment.Description.Name, training.Seed, WallSeconds()),
                    model, tokenizer, reference, critic, updater);
                yield return recorder.Record(saved);
            }
        }

        if (evaluatedAt != lastIteration) lastEvaluation = await EvaluateAsync(source, policy, cancellationToken);
        PolicyCheckpoints.Save(model, tokenizer, Path.Combine(OutputDirectory, "checkpoints", "final"));

        var summary = new Dictionary<string, object>
        {
            ["algorithm"] = training.Algorithm.Trim().ToLowerInvariant(),
            ["environment"] = environment.Description.Name,
            ["seed"] = training.Seed,
            ["iterations"] = lastIteration,
            ["env_steps"] = environmentSteps,
            ["warm_start_success"] = warmStartSuccess,
            ["final_success"] = lastEvaluation.GetValueOrDefault("success_rate", double.NaN),
            ["wall_seconds"] = WallSeconds(),
            ["peak_memory_mb"] = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024),
        };
        foreach (var (key, value) in lastEvaluation.Where(p => p.Key.StartsWith("success_rate/", StringComparison.Ordinal)))
            summary["final_" + key] = value;
        recorder.WriteSummary(summary);
        var chartWarning = SaveLearningCurve(training.Algorithm, environment.Description.Name, training.Seed);
        var finished = new TrainingEvent("finished", lastIteration,
            summary.Where(p => p.Value is double or long or int).ToDictionary(p => p.Key, p => Convert.ToDouble(p.Value, System.Globalization.CultureInfo.InvariantCulture)),
            chartWarning);
        yield return recorder.Record(finished);
    }

    private bool BudgetSpent(long environmentSteps) => training.EnvironmentStepBudget > 0 && environmentSteps >= training.EnvironmentStepBudget;

    /// <summary>
    /// Draws <c>learning_curve.png</c>; a chart that cannot be drawn (no native Skia library, say) is a warning (returned), never a lost run.
    /// </summary>
    private string? SaveLearningCurve(string algorithm, string environmentName, long seed)
    {
        try
        {
            LearningCurveChart.SaveRun(RunHistory.Load(OutputDirectory), Path.Combine(OutputDirectory, "learning_curve.png"),
                $"{algorithm} on {environmentName}, seed {seed}");
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or DllNotFoundException or TypeInitializationException or UnauthorizedAccessException)
        {
            return $"learning_curve.png could not be drawn ({e.Message}); metrics.csv holds the same figures.";
        }
    }

    private TrainingEvent SaveCheckpoint(CheckpointState state, Qwen2ForCausalLM model, ITextTokenizer tokenizer, Qwen2ForCausalLM? reference,
        Qwen2ForValue? critic, PolicyUpdater updater)
    {
        var configuration = EffectiveConfiguration();
        try
        {
            TrainingCheckpoint.Save(OutputDirectory, state, model, tokenizer, reference, critic, updater, configuration);
            return new TrainingEvent("checkpoint", state.Iteration, new Dictionary<string, double> { ["saved"] = 1 });
        }
        catch (IOException e) when (DiskFull(e))
        {
            // Training on would only lose more: every later save and metric line would fail too. The save wrote to a temporary folder,
            // so the previous checkpoint is whole, and the same command resumes from it.
            var kept = TrainingCheckpoint.Latest(OutputDirectory) is { } latest ? $"'{Path.GetFileName(latest)}' is intact" : "no earlier checkpoint exists";
            throw new IOException($"The disk is full: the checkpoint of iteration {state.Iteration} could not be saved ({e.Message}); {kept}. " +
                                  "Free some space and run the same command again to resume.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No permission or another I/O failure: the save fails, the previous checkpoint stays, training goes on.
            return new TrainingEvent("checkpoint", state.Iteration, new Dictionary<string, double> { ["saved"] = 0 },
                $"the checkpoint of iteration {state.Iteration} could not be saved ({e.Message}); the previous checkpoint is kept.");
        }
    }

    /// <summary>ENOSPC on Unix, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool DiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
        || e.Message.Contains("No space left on device", StringComparison.Ordinal);

    private static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer) Loaded(TorchPolicy policy) => (policy.Model, policy.Tokenizer);

    private (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer) CreatePolicy(List<(string Prompt, string Response)> demonstrations, torch.ScalarType dtype, torch.Device device)
    {
        if (!string.IsNullOrWhiteSpace(policyOptions.Path))
            return (HuggingFaceCheckpoint.LoadCausalLM(policyOptions.Path, dtype, device), HuggingFaceTokenizer.Load(policyOptions.Path));
        var corpus = demonstrations.SelectMany(d => new[] { d.Prompt, d.Response }).Append(environment.Description.AgentRole);
        var tokenizer = WordLevelTokenizer.Build(corpus, policyOptions.VocabularyWords);
        var model = new Qwen2ForCausalLM(new Qwen2Config
        {
            VocabSize = tokenizer.VocabularySize, HiddenSize = policyOptions.HiddenSize, IntermediateSize = policyOptions.IntermediateSize,
            NumHiddenLayers = policyOptions.Layers, NumAttentionHeads = policyOptions.Heads, NumKeyValueHeads = policyOptions.KeyValueHeads,
            MaxPositionEmbeddings = policyOptions.MaxPromptTokens + rollout.MaxNewTokens,
        });
        model.to(dtype).to(device);
        return (model, tokenizer);
    }

    private static Qwen2ForCausalLM Clone(Qwen2ForCausalLM model)
    {
        var copy = new Qwen2ForCausalLM(model.Config);
        var (device, dtype) = model.Body.Placement();
        copy.to(dtype).to(device);
        copy.load_state_dict(model.state_dict());
        copy.eval();
        return copy;
    }

    private static Qwen2ForValue CreateCritic(Qwen2ForCausalLM policy)
    {
        // verl-agent's critic starts from the same base model as the actor.
        var critic = new Qwen2ForValue(policy.Config);
        var (device, dtype) = policy.Body.Placement();
        critic.to(dtype).to(device);
        using var scope = torch.NewDisposeScope(); // after the parameters exist: a scope would dispose them
        using var noGrad = torch.no_grad();
        var target = critic.state_dict();
        foreach (var (name, tensor) in policy.state_dict())
            if (target.TryGetValue(name, out var destination)) destination.copy_(tensor);
        return critic;
    }

    private async Task<Dictionary<string, double>> EvaluateAsync(EnvironmentRolloutSource source, TorchPolicy policy, CancellationToken cancellationToken)
    {
        var result = await source.CollectAsync(policy,
            new RolloutRequest(training.EvaluationTasks, 1, DatasetSplit.Validation, EvaluationSeed, training.EvaluationTemperature), cancellationToken);
        return EpisodeMetrics.Of(result.Episodes);
    }

    private static void AddAdvantageMetrics(Dictionary<string, double> metrics, List<double> values)
    {
        if (values.Count == 0) return;
        var mean = values.Average();
        metrics["adv_mean"] = mean;
        metrics["adv_std"] = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
        metrics["adv_min"] = values.Min();
        metrics["adv_max"] = values.Max();
    }
}
