using GiGpoNet.Advantages;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Policies;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using TorchSharp;

namespace GiGpoNet.Backend.Learning;

/// <summary>
/// The TorchSharp learner: the policy, its reference and critic, and <see cref="PolicyUpdater"/>. With <c>Policy:Lora</c>, the
/// reinforcement stage trains adapters on the frozen (warm-started) policy, whose base is also the KL reference (no second copy); its
/// checkpoints hold the adapter in PEFT's format under <c>adapter/</c> and refer to the base, written once into
/// <c>checkpoints/base</c>. Full fine-tuning's frozen reference goes there too, so that checkpoints hold only what changes.
/// </summary>
internal sealed class TorchLearner(Qwen2ForCausalLM model, ITextTokenizer tokenizer, int maxPromptTokens, UpdateOptions update, LoraOptions lora,
    IPolicyLoss? policyLoss = null) : ILearner
{
    private readonly TorchPolicy _policy = new(model, tokenizer, maxPromptTokens);
    private Qwen2ForCausalLM? _reference;
    private Qwen2ForValue? _critic;
    private PolicyUpdater? _updater;
    private LoraAdapters? _adapters;
    private BaseWeights? _base;

    public IPolicy Policy => _policy;

    public IReadOnlyDictionary<string, string> Description
    {
        get
        {
            var (device, dtype) = model.Body.Placement();
            using var scope = torch.NewDisposeScope();
            var trainable = _adapters?.Parameters().Sum(p => p.numel()) ?? model.parameters().Sum(p => p.numel());
            return new Dictionary<string, string>
            {
                ["device"] = device.ToString(), ["dtype"] = HuggingFaceCheckpoint.DtypeName(dtype), ["architecture"] = model.Config.ModelType,
                ["parameters"] = model.parameters().Sum(p => p.numel()).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["trainable_parameters"] = trainable.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
    }

    public IReadOnlyList<double> WarmStart(IReadOnlyList<Demonstration> demonstrations, SupervisedSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(demonstrations);
        ArgumentNullException.ThrowIfNull(settings);
        var rows = demonstrations
            .Select(d => (tokenizer.EncodeUserMessage(d.Prompt), (int[])[.. tokenizer.Encode(d.Response), tokenizer.EndOfTurnIds[0]]))
            .ToList();
        return SupervisedFineTuning.Train(model, rows, settings.Epochs, settings.LearningRate, settings.BatchSize, tokenizer.PaddingId, settings.Seed,
            cancellationToken);
    }

    public void BeginReinforcement(ReinforcementStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (_updater is not null) throw new InvalidOperationException("The reinforcement stage has begun already.");
        if (start.Seed is { } seed) torch.manual_seed(seed);
        // A LoRA run's reference is its own frozen base, seen with the adapters bypassed.
        _reference = update.UseKlLoss && !lora.Enabled ? Clone(model) : null;
        _critic = start.Critic ? CreateCritic(model) : null;
        _adapters = lora.Enabled ? LoraAdapters.Attach(model, lora) : null;
        if (update.UseKlLoss && _adapters is not null) _reference = model;
        _updater = new PolicyUpdater(model, update, tokenizer.PaddingId, _reference, _critic, _adapters?.Parameters(), _adapters, policyLoss);
        if (start.ResumeFrom is { } folder) Restore(folder);
    }

    public RolloutBatch Prepare(RolloutBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var updater = Updater;
        if (batch.PromptTokenIds is not { } prompts || batch.ResponseTokenIds is not { } responses)
            throw new ArgumentException("The TorchSharp learner trains on token ids; this batch has none (its rollout source must provide Tokens).", nameof(batch));
        var all = Enumerable.Range(0, batch.RowCount).Select(r => (prompts[r].ToArray(), responses[r].ToArray())).ToList();
        if (_critic is not null) batch = batch.WithCriticValues(updater.Values(all));
        return batch.WithOldLogProbs(update.ReuseRolloutLogProbs ? RolloutLogProbs(batch) : RecomputedLogProbs(batch, all, updater));
    }

    public IReadOnlyDictionary<string, double> Update(RolloutBatch batch, AdvantageResult advantages)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(advantages);
        var updater = Updater;
        if (batch.OldLogProbs is not { } oldLogProbs || batch.PromptTokenIds is not { } prompts || batch.ResponseTokenIds is not { } responses)
            throw new ArgumentException("Update takes a batch returned by Prepare (token ids and old log-probabilities).", nameof(batch));
        var active = Enumerable.Range(0, batch.RowCount).Where(r => batch.Active[r]).ToList();
        var (weights, mismatch) = Mismatch(batch, active);
        var rows = new List<TrainingRow>(active.Count);
        for (var i = 0; i < active.Count; i++)
        {
            var row = active[i];
            var perToken = new float[responses.LengthOf(row)];
            advantages.CopyTokenAdvantages(row, perToken);
            rows.Add(new TrainingRow(prompts[row].ToArray(), responses[row].ToArray(), oldLogProbs[row].ToArray(), perToken,
                batch.CriticValues?[row].ToArray(), advantages.TokenReturns is { } returns ? [.. returns[row].ToArray().Select(v => (float)v)] : null,
                update.RolloutIs ? weights?[i] : null));
        }
        var metrics = updater.Update(rows).ToDictionary().ToDictionary();
        foreach (var (key, value) in mismatch) metrics[key] = value;
        return metrics;
    }

    /// <summary>With <see cref="UpdateOptions.RolloutIsThreshold"/>, the active rows' truncated importance weights and the mismatch metrics.</summary>
    private (float[][]? Weights, IReadOnlyDictionary<string, double> Metrics) Mismatch(RolloutBatch batch, List<int> active)
    {
        if (update.RolloutIsThreshold is not { } threshold) return (null, new Dictionary<string, double>());
        var rollout = RolloutColumn(batch, nameof(UpdateOptions.RolloutIsThreshold));
        return RolloutCorrection.Compute([.. active.Select(r => batch.OldLogProbs![r].ToArray())], [.. active.Select(r => rollout[r].ToArray())], threshold);
    }

    public void SavePolicy(string folder) => PolicyCheckpoints.Save(model, tokenizer, folder, _adapters);

    public void SaveState(string folder)
    {
        var updater = Updater;
        var separateReference = _reference is not null && !ReferenceEquals(_reference, model);
        if ((_adapters is not null || separateReference) && _base?.Written != true)
        {
            // Written once per run: the frozen weights (a LoRA policy's base, or full fine-tuning's reference) beside the checkpoints.
            _base ??= new BaseWeights(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(folder))!, BaseWeights.FolderName));
            _base.Write(separateReference ? _reference! : model);
        }
        PolicyCheckpoints.Save(model, tokenizer, Path.Combine(folder, PolicyCheckpoints.TrainingCheckpointPolicyFolder), _adapters,
            _adapters is not null ? _base : null);
        if (separateReference) _base!.Refer(Path.Combine(folder, "reference"));
        if (_critic is not null)
        {
            Directory.CreateDirectory(Path.Combine(folder, "critic"));
            HuggingFaceCheckpoint.SaveWeights(_critic, Path.Combine(folder, "critic"), torch.ScalarType.Float32, long.MaxValue);
        }
        updater.SaveState(folder);
    }

    public void Dispose()
    {
        _updater?.Dispose();
        _adapters?.Dispose();
        _critic?.Dispose();
        _reference?.Dispose();
        model.Dispose();
    }

    private static float[][] RolloutLogProbs(RolloutBatch batch)
    {
        var rollout = RolloutColumn(batch, nameof(UpdateOptions.ReuseRolloutLogProbs));
        return [.. Enumerable.Range(0, batch.RowCount).Select(r => rollout[r].ToArray())];
    }

    private static RaggedArray<float> RolloutColumn(RolloutBatch batch, string option) => batch.RolloutLogProbs ?? throw new InvalidOperationException(
        $"Update:{option} is set, but the policy returned no model log-probabilities (PolicyGeneration.ModelLogProbs); turn the option off, or use a " +
            "policy that reports them.");

    private static float[][] RecomputedLogProbs(RolloutBatch batch, List<(int[], int[])> all, PolicyUpdater updater)
    {
        var active = Enumerable.Range(0, batch.RowCount).Where(r => batch.Active[r]).ToList();
        var scored = updater.LogProbs([.. active.Select(r => all[r])]);
        var logProbs = all.Select(r => new float[r.Item2.Length]).ToArray();
        for (var i = 0; i < active.Count; i++) logProbs[active[i]] = scored[i];
        return logProbs;
    }

    private PolicyUpdater Updater => _updater ?? throw new InvalidOperationException("Call BeginReinforcement before the first Prepare, Update or SaveState.");

    /// <summary>
    /// Restores a checkpoint's state; the policy's base weights were loaded when the learner was created from it
    /// (<see cref="PolicyCheckpoints.LoadUnmerged"/>). A checkpoint of an earlier version (its reference's weights inside it) still loads.
    /// </summary>
    private void Restore(string folder)
    {
        var policy = Path.Combine(folder, PolicyCheckpoints.TrainingCheckpointPolicyFolder);
        _adapters?.LoadWeights(Path.Combine(policy, PolicyCheckpoints.AdapterFolder));
        var reference = Path.Combine(folder, "reference");
        if (BaseWeights.Resolve(_adapters is not null ? policy : reference) is { } frozenBase)
        {
            _base = new BaseWeights(frozenBase);
            _base.Adopt(_adapters is not null ? policy : reference);
        }
        if (_reference is not null && !ReferenceEquals(_reference, model))
            HuggingFaceCheckpoint.LoadWeights(_reference, PolicyCheckpoints.WeightsFolder(reference), _reference.Config.TieWordEmbeddings ? ["lm_head.weight"] : null);
        if (_critic is not null) HuggingFaceCheckpoint.LoadWeights(_critic, Path.Combine(folder, "critic"));
        Updater.LoadState(folder);
    }

    private static Qwen2ForCausalLM Clone(Qwen2ForCausalLM source)
    {
        var copy = new Qwen2ForCausalLM(source.Config);
        var (device, dtype) = source.Body.Placement();
        copy.to(dtype).to(device);
        copy.load_state_dict(source.state_dict());
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
}
