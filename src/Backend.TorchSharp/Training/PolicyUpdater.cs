using GiGpoNet.Backend.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>
/// The PPO-family update shared by every algorithm: rows are shuffled into mini-batches (one optimizer step each) split into
/// micro-batches (one forward/backward each, gradients accumulated); the loss is the PPO-clip policy loss − entropy bonus + KL-to-reference
/// term; AdamW with gradient-norm clipping and a learning-rate schedule. With a critic (PPO), the clipped value loss trains it alongside.
/// Every micro-batch runs in its own dispose scope; a non-finite loss or gradient skips that optimizer step without touching the weights.
/// </summary>
internal sealed class PolicyUpdater : IDisposable
{
    private readonly IPolicyLoss _policyLoss;
    private readonly Qwen2ForCausalLM _policy;
    private readonly Qwen2ForCausalLM? _reference;
    private readonly Lora.LoraAdapters? _adapters;
    private readonly Qwen2ForValue? _critic;
    private readonly UpdateOptions _options;
    private readonly int _paddingId;
    private readonly ScheduledOptimizer _policyOptimizer;
    private readonly ScheduledOptimizer? _criticOptimizer;

    /// <summary>Creates the updater; the optimizers are created here, outside any dispose scope.</summary>
    /// <param name="policy">The policy trained.</param>
    /// <param name="options">The <c>Update</c> section.</param>
    /// <param name="paddingId">The tokenizer's padding id.</param>
    /// <param name="reference">
    /// The frozen reference for the KL term, when <see cref="UpdateOptions.UseKlLoss"/>: a model of its own, or <paramref name="policy"/>
    /// itself with <paramref name="adapters"/>, whose frozen base is the reference.
    /// </param>
    /// <param name="critic">PPO's critic, trained alongside.</param>
    /// <param name="trainable">The policy's parameters the optimizer updates (LoRA: the adapters'); default: all of the policy's.</param>
    /// <param name="adapters">The policy's LoRA adapters, bypassed to score the reference when it is the policy itself.</param>
    /// <param name="policyLoss">The policy loss (<c>Update:PolicyLoss</c>); default <see cref="VanillaPolicyLoss"/>.</param>
    public PolicyUpdater(Qwen2ForCausalLM policy, UpdateOptions options, int paddingId, Qwen2ForCausalLM? reference = null, Qwen2ForValue? critic = null,
        IReadOnlyList<Parameter>? trainable = null, Lora.LoraAdapters? adapters = null, IPolicyLoss? policyLoss = null)
    {
        _policyLoss = policyLoss ?? new VanillaPolicyLoss();
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new GiGpoNetConfigurationException("Invalid Update options: " + string.Join(" ", problems));
        if (options.UseKlLoss && reference is null)
            throw new GiGpoNetConfigurationException("Update:UseKlLoss is true but no reference policy was given; pass one, or set Update:UseKlLoss=false.");
        _policy = policy;
        if (ReferenceEquals(reference, policy) && adapters is null)
            throw new ArgumentException("The policy is its own reference only through its LoRA adapters' frozen base; pass the adapters.", nameof(adapters));
        _reference = reference;
        _adapters = adapters;
        _critic = critic;
        _options = options;
        _paddingId = paddingId;
        _policyOptimizer = new ScheduledOptimizer(trainable ?? policy.parameters(), options.LearningRate, options);
        if (critic is not null) _criticOptimizer = new ScheduledOptimizer(critic.parameters(), options.CriticLearningRate, options);
        if (!ReferenceEquals(reference, policy)) _reference?.eval();
        policy.Body.GradientCheckpointing = options.GradientCheckpointing;
        if (critic is not null) critic.Body.GradientCheckpointing = options.GradientCheckpointing;
    }

    /// <summary>
    /// Computes the logits at every position and gathers the scored ones afterwards, a [batch, prompt + response, vocabulary] tensor,
    /// as a naive implementation does: the memory bench's baseline only. Default false: the hidden states are gathered at the
    /// response positions first, so logits exist only where a response token is scored.
    /// </summary>
    internal bool FullSequenceLogits { get; init; }

    /// <summary>Float32 logits [B, Lr, vocab] at the positions that predict each response token.</summary>
    [RequiresDisposeScope]
    private Tensor ResponseLogits(Qwen2ForCausalLM model, SequenceBatch batch) => FullSequenceLogits
        ? model.Forward(batch.Ids, batch.Attention).gather(1, batch.PredictingPositions.unsqueeze(-1).expand(-1, -1, model.Config.VocabSize))
        : model.Logits(batch.AtPredictingPositions(model.Hidden(batch.Ids, batch.Attention)));

    /// <summary>Optimizer steps taken so far (drives the schedule).</summary>
    public int Steps => _policyOptimizer.Steps;

    /// <summary>The policy's log-probabilities of each row's response tokens (no gradient), micro-batch by micro-batch.</summary>
    public float[][] LogProbs(IReadOnlyList<(int[] Prompt, int[] Response)> rows, Qwen2ForCausalLM? model = null)
    {
        model ??= _policy;
        return PerResponseToken(rows, model.Body, [RequiresDisposeScope] (batch) => TokenStatistics.LogProbs(ResponseLogits(model, batch), batch.ResponseIds));
    }

    /// <summary>The reference's log-probabilities: its own model's, or the policy's with its adapters bypassed.</summary>
    private float[][] ReferenceLogProbs(IReadOnlyList<(int[] Prompt, int[] Response)> rows)
    {
        if (!ReferenceEquals(_reference, _policy)) return LogProbs(rows, _reference);
        using var frozenBase = _adapters!.Bypass();
        return LogProbs(rows, _policy);
    }

    /// <summary>The critic's value at each response token (no gradient).</summary>
    public float[][] Values(IReadOnlyList<(int[] Prompt, int[] Response)> rows)
    {
        var critic = _critic ?? throw new InvalidOperationException("No critic was given to this updater.");
        return PerResponseToken(rows, critic.Body, [RequiresDisposeScope] (batch) => critic.Forward(batch.Ids, batch.Attention).gather(1, batch.PredictingPositions));
    }

    /// <summary>
    /// One value per response token of every row, computed micro-batch by micro-batch without gradient, each in its own dispose scope.
    /// With <see cref="UpdateOptions.LengthBucketing"/>, the micro-batches are cut from the rows in order of length
    /// (<see cref="LengthOrder"/>); the values still come back in the rows' order.
    /// </summary>
    private float[][] PerResponseToken(IReadOnlyList<(int[] Prompt, int[] Response)> rows, Qwen2Model body, Func<SequenceBatch, Tensor> compute)
    {
        var result = new float[rows.Count][];
        var device = body.Placement().Device;
        using var noGrad = no_grad();
        var order = _options.LengthBucketing ? LengthOrder(rows) : [.. Enumerable.Range(0, rows.Count)];
        foreach (var chunk in order.Chunk(_options.MicroBatchSize))
        {
            using var scope = NewDisposeScope();
            var batch = SequenceBatch.Create([.. chunk.Select(i => rows[i])], _paddingId, device);
            var values = SequenceBatch.Unpack(compute(batch), [.. chunk.Select(i => rows[i].Response.Length)]);
            for (var k = 0; k < chunk.Length; k++) result[chunk[k]] = values[k];
        }
        return result;
    }

    /// <summary>The rows' indices ordered by prompt + response length (ties in their given order).</summary>
    internal static int[] LengthOrder(IReadOnlyList<(int[] Prompt, int[] Response)> rows) =>
        [.. Enumerable.Range(0, rows.Count).OrderBy(i => rows[i].Prompt.Length + rows[i].Response.Length)];

    /// <summary>Runs <see cref="UpdateOptions.Epochs"/> passes over <paramref name="rows"/>.</summary>
    public UpdateMetrics Update(IReadOnlyList<TrainingRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var device = _policy.Body.Placement().Device;
        var referenceLogProbs = _options.UseKlLoss ? ReferenceLogProbs([.. rows.Select(r => (r.PromptIds, r.ResponseIds))]) : null;
        var sums = new double[8];
        int microBatches = 0, steps = 0, skipped = 0, valueBatches = 0;
        double valueLoss = 0, valueClip = 0, gradNorm = 0;
        // Scalars held until the native calls return (an implicitly converted one can be finalized mid-call; see HeldScalars).
        using var entropyCoeff = _options.EntropyCoeff.ToScalar();
        using var klLossCoef = _options.KlLossCoef.ToScalar();
        _policy.train();
        _critic?.train();
        for (var epoch = 0; epoch < _options.Epochs; epoch++)
        {
            // Seeded by the step count, not by a running generator: a resumed run shuffles exactly as an uninterrupted one.
            var shuffle = new Random(ShuffleSeed(_options.Seed, _policyOptimizer.Steps, epoch));
            var order = Enumerable.Range(0, rows.Count).OrderBy(_ => shuffle.Next()).ToArray();
            foreach (var miniBatch in order.Chunk(_options.MiniBatchSize))
            {
                _policyOptimizer.ZeroGrad();
                _criticOptimizer?.ZeroGrad();
                var accumulation = (miniBatch.Length + _options.MicroBatchSize - 1) / _options.MicroBatchSize;
                using var accumulationScalar = accumulation.ToScalar();
                var finite = true;
                foreach (var micro in miniBatch.Chunk(_options.MicroBatchSize))
                {
                    using var scope = NewDisposeScope();
                    var chosen = micro.Select(i => rows[i]).ToList();
                    var batch = SequenceBatch.Create([.. chosen.Select(r => (r.PromptIds, r.ResponseIds))], _paddingId, device);
                    var logits = ResponseLogits(_policy, batch);
                    var logProb = TokenStatistics.LogProbs(logits, batch.ResponseIds);
                    var mask = batch.ResponseMask;
                    var policy = _policyLoss.Compute(new PolicyLossInputs(logProb, batch.Pack([.. chosen.Select(r => r.OldLogProbs)], device),
                        batch.Pack([.. chosen.Select(r => r.Advantages)], device), mask,
                        chosen.All(r => r.RolloutWeights is not null) ? batch.Pack([.. chosen.Select(r => r.RolloutWeights!)], device) : null, _options));
                    var entropy = LossAggregation.Aggregate(TokenStatistics.Entropy(logits), mask, _options.LossAggMode);
                    var loss = policy.Loss - entropy.mul(entropyCoeff);
                    var kl = 0.0;
                    if (referenceLogProbs is not null)
                    {
                        var klLoss = LossAggregation.Aggregate(
                            KlPenalty.Compute(logProb, batch.Pack([.. micro.Select(i => referenceLogProbs[i])], device), _options.KlLossType), mask, _options.LossAggMode);
                        loss = loss.add(klLoss.mul(klLossCoef), HeldScalars.One);
                        kl = klLoss.item<float>();
                    }
                    var lossValue = loss.item<float>();
                    if (!float.IsFinite(lossValue))
                    {
                        finite = false;
                        continue;
                    }
                    loss.div(accumulationScalar).backward();
                    sums[0] += policy.Loss.item<float>();
                    sums[1] += policy.ClipFraction;
                    sums[2] += policy.ClipFractionLower;
                    sums[3] += policy.ApproxKl;
                    sums[4] += entropy.item<float>();
                    sums[5] += kl;
                    microBatches++;

                    if (_critic is not null && chosen.All(r => r.OldValues is not null && r.Returns is not null))
                    {
                        var values = _critic.Forward(batch.Ids, batch.Attention).gather(1, batch.PredictingPositions);
                        var (vLoss, vClip) = ValueLoss.Compute(values, batch.Pack([.. chosen.Select(r => r.OldValues!)], device),
                            batch.Pack([.. chosen.Select(r => r.Returns!)], device), mask, _options.ValueClipRange, _options.LossAggMode, _options.ValueLossScale);
                        if (float.IsFinite(vLoss.item<float>()))
                        {
                            vLoss.div(accumulationScalar).backward();
                            valueLoss += vLoss.item<float>();
                            valueClip += vClip;
                            valueBatches++;
                        }
                    }
                }

                // Reading .grad creates tensor handles, and clipping creates temporaries: keep them in a scope too.
                using var stepScope = NewDisposeScope();
                var norm = _policyOptimizer.ClipGradients(_options.GradClip);
                if (finite && double.IsFinite(norm))
                {
                    _policyOptimizer.Step();
                    _criticOptimizer?.ClipGradients(_options.GradClip);
                    _criticOptimizer?.Step();
                    gradNorm += norm;
                    steps++;
                }
                else
                {
                    _policyOptimizer.ZeroGrad();
                    _criticOptimizer?.ZeroGrad();
                    skipped++;
                }
            }
        }

        double Mean(double sum) => microBatches == 0 ? double.NaN : sum / microBatches;
        return new UpdateMetrics(Mean(sums[0]), Mean(sums[1]), Mean(sums[2]), Mean(sums[3]), Mean(sums[4]), Mean(sums[5]),
            steps == 0 ? double.NaN : gradNorm / steps, _policyOptimizer.CurrentLearningRate, steps, skipped,
            valueBatches == 0 ? null : valueLoss / valueBatches, valueBatches == 0 ? null : valueClip / valueBatches);
    }

    /// <summary>
    /// The seed of a mini-batch shuffle: a SplitMix64 mix of (seed, optimizer steps, epoch), the same in every process (unlike
    /// <see cref="HashCode"/>, which is randomized per process and would make a resumed run shuffle differently).
    /// </summary>
    internal static int ShuffleSeed(long seed, long steps, int epoch)
    {
        var x = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)steps * 0xD1B54A32D192ED03UL + (ulong)epoch * 0xAEF17502108EF2D9UL);
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)((x ^ (x >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>Writes the optimizers' state (moments, step counts) into <paramref name="folder"/>.</summary>
    public void SaveState(string folder)
    {
        _policyOptimizer.Save(Path.Combine(folder, PolicyStateFile));
        _criticOptimizer?.Save(Path.Combine(folder, CriticStateFile));
    }

    /// <summary>Restores the optimizers' state written by <see cref="SaveState"/>.</summary>
    /// <exception cref="InvalidDataException">The folder holds no state of this optimizer, or state for other parameters.</exception>
    public void LoadState(string folder)
    {
        _policyOptimizer.Load(StateFile(folder, PolicyStateFile));
        _criticOptimizer?.Load(StateFile(folder, CriticStateFile));
    }

    private const string PolicyStateFile = "optimizer.policy.safetensors";
    private const string CriticStateFile = "optimizer.critic.safetensors";

    private static string StateFile(string folder, string name)
    {
        var path = Path.Combine(folder, name);
        if (File.Exists(path)) return path;
        var legacy = Path.ChangeExtension(path, ".bin");
        throw new InvalidDataException(File.Exists(legacy)
            ? $"'{folder}' holds the optimizer state in TorchSharp's format ({Path.GetFileName(legacy)}), written by a GiGPO.NET older than 2026-11-26, "
              + "which this version cannot read: resume it with the version that wrote it, or start the run afresh (delete its checkpoints folder)."
            : $"'{folder}' holds no optimizer state ({name} is missing): it is not a complete training checkpoint.");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _policyOptimizer.Dispose();
        _criticOptimizer?.Dispose();
    }

    /// <summary>AdamW with a learning-rate schedule and gradient clipping over one set of parameters.</summary>
    private sealed class ScheduledOptimizer(IEnumerable<Parameter> parameters, double learningRate, UpdateOptions options) : IDisposable
    {
        private readonly AdamWOptimizer _optimizer = new(parameters, options.WeightDecay);

        public int Steps => _optimizer.Steps;

        /// <summary>The rate of the next step: the base rate times the schedule's factor at the steps taken so far.</summary>
        public double CurrentLearningRate => learningRate * options.LearningRateFactor(Steps);

        public void ZeroGrad() => _optimizer.ZeroGrad();

        public double ClipGradients(double maxNorm) =>
            nn.utils.clip_grad_norm_(_optimizer.Parameters.Where(p => p.grad is not null), maxNorm);

        public void Step() => _optimizer.Step(CurrentLearningRate);

        /// <summary>Saves the moments and the step counts.</summary>
        public void Save(string path) => _optimizer.Save(path);

        /// <summary>Restores what <see cref="Save"/> wrote; the schedule follows from the restored step count.</summary>
        public void Load(string path) => _optimizer.Load(path);

        public void Dispose() => _optimizer.Dispose();
    }
}
