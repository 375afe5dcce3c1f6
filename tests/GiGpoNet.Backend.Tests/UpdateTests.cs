using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Tests;

public sealed class UpdateTests
{
    private static UpdateOptions Fast(bool klLoss = false) => new()
    {
        LearningRate = 3e-3, WeightDecay = 0, MiniBatchSize = 16, MicroBatchSize = 8, EntropyCoeff = 0, UseKlLoss = klLoss, GradClip = 1.0,
    };

    [Test]
    [Category("Slow")]
    [CancelAfter(60_000)]
    public void A_tiny_policy_learns_a_sequence_by_supervised_fine_tuning()
    {
        using var model = TinyModels.Create(seed: 11);
        using var optimizer = new AdamWOptimizer(model.parameters(), weightDecay: 0.01); // TorchSharp's AdamW defaults, its scalars held
        var ids = tensor(new long[] { 3, 10, 11, 12, 13, 14, 15, 16 }, [1, 8]);
        var mask = ones(1, 8, ScalarType.Int64);
        float first = 0, last = 0;
        for (var step = 0; step < 40; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var logits = model.Forward(ids[.., ..7], mask[.., ..7]);
            var loss = F.cross_entropy(logits.reshape(-1, 64), ids[.., 1..].reshape(-1));
            loss.backward();
            optimizer.Step(1e-2);
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.That(last, Is.LessThan(first * 0.2), $"loss {first} -> {last}");
    }

    [Test]
    [Category("Slow")]
    [CancelAfter(60_000)]
    public void The_policy_gradient_update_alone_raises_the_mean_reward()
    {
        // Bandit: after the prompt, answering token 7 earns 1, anything else 0. GRPO-style advantages within the batch.
        using var model = TinyModels.Create(seed: 12, vocabulary: 16);
        var tokenizer = WordLevelTokenizer.Build([], 0);
        var generator = new TextGenerator(model, new FixedTokenizer(16));
        using var updater = new PolicyUpdater(model, Fast(), paddingId: 0);
        int[] prompt = [3, 9, 10];
        double MeanReward(long seed) =>
            generator.Generate(Enumerable.Repeat(prompt, 64).ToList(), new SamplingOptions(MaxNewTokens: 1, Seed: seed)).Average(s => s.TokenIds[0] == 7 ? 1.0 : 0.0);

        var before = MeanReward(1000);
        for (var iteration = 0; iteration < 30; iteration++)
        {
            var samples = generator.Generate(Enumerable.Repeat(prompt, 32).ToList(), new SamplingOptions(MaxNewTokens: 1, Seed: iteration));
            var rewards = samples.Select(s => s.TokenIds[0] == 7 ? 1.0 : 0.0).ToArray();
            var mean = rewards.Average();
            var rows = samples.Select((s, i) => new TrainingRow(prompt, s.TokenIds, s.LogProbs, [(float)(rewards[i] - mean)])).ToList();
            updater.Update(rows);
        }
        var after = MeanReward(2000);
        Assert.That(after, Is.GreaterThan(before + 0.3), $"mean reward {before:F2} -> {after:F2}");
        Assert.That(tokenizer.VocabularySize, Is.GreaterThan(16));
    }

    [Test]
    public void Update_reports_verl_metrics_and_a_kl_loss_against_the_reference()
    {
        using var model = TinyModels.Create(seed: 13);
        using var reference = TinyModels.Create(seed: 13);
        using var updater = new PolicyUpdater(model, Fast(klLoss: true), paddingId: 0, reference: reference);
        var rows = Enumerable.Range(0, 16).Select(i => (Prompt: new[] { 3, 10 + i % 5 }, Response: new[] { 20 + i % 7, 30, 4 })).ToList();
        var old = updater.LogProbs(rows);
        var training = rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [.. Enumerable.Repeat(i % 2 == 0 ? 1f : -1f, 3)])).ToList();
        var first = updater.Update(training);
        Assert.That(first.ApproxKl, Is.EqualTo(0).Within(1e-5), "before the step the policy is the old policy");
        Assert.That(first.KlLoss, Is.EqualTo(0).Within(1e-5), "and equals the reference");
        Assert.That(first.OptimizerSteps, Is.EqualTo(1));
        var second = updater.Update(training);
        Assert.That(second.KlLoss, Is.GreaterThan(0));
        Assert.That(second.ApproxKl, Is.Not.EqualTo(0));
        Assert.That(second.ToDictionary().Keys, Is.SupersetOf(new[] { "pg_loss", "pg_clipfrac", "pg_clipfrac_lower", "ppo_kl", "entropy", "kl_loss", "grad_norm", "lr" }));
    }

    [Test]
    public void Log_probs_computed_in_length_ordered_micro_batches_come_back_in_the_rows_order()
    {
        using var model = TinyModels.Create(seed: 16);
        var options = Fast();
        options.LengthBucketing = true;
        using var updater = new PolicyUpdater(model, options, paddingId: 0);
        // Lengths from 3 to 40 tokens, shuffled, so that sorting moves nearly every row into another micro-batch.
        var random = new Random(5);
        var rows = Enumerable.Range(0, 24)
            .Select(i => (Prompt: Enumerable.Range(0, 2 + (i * 7) % 30).Select(_ => random.Next(3, 30)).ToArray(),
                Response: Enumerable.Range(0, 1 + i % 9).Select(_ => random.Next(3, 30)).ToArray()))
            .OrderBy(_ => random.Next()).ToList();
        Assert.That(PolicyUpdater.LengthOrder(rows).Select(i => rows[i].Prompt.Length + rows[i].Response.Length), Is.Ordered);

        var batched = updater.LogProbs(rows);
        for (var i = 0; i < rows.Count; i++)
        {
            var alone = updater.LogProbs([rows[i]])[0];
            Assert.That(batched[i], Has.Length.EqualTo(rows[i].Response.Length), $"row {i}");
            Assert.That(batched[i], Is.EqualTo(alone).Within(1e-5f), $"row {i}: its log-probs computed alone");
        }
    }

    [Test]
    public void A_non_finite_advantage_skips_the_step_and_leaves_the_weights_untouched()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 14);
        using var updater = new PolicyUpdater(model, Fast(), paddingId: 0);
        var before = model.state_dict().ToDictionary(p => p.Key, p => p.Value.clone());
        var rows = Enumerable.Range(0, 8).Select(i => new TrainingRow([3, 10], [20, 4], [-1f, -1f], [float.NaN, 1f])).ToList();
        var metrics = updater.Update(rows);
        Assert.That(metrics.SkippedSteps, Is.EqualTo(1));
        Assert.That(metrics.OptimizerSteps, Is.EqualTo(0));
        foreach (var (name, tensor) in model.state_dict())
            Assert.That(tensor.equal(before[name]).all().item<bool>(), Is.True, name);
    }

    [Test]
    public void The_critic_learns_the_returns_with_the_clipped_value_loss()
    {
        using var model = TinyModels.Create(seed: 15);
        torch.manual_seed(16);
        using var critic = new Qwen2ForValue(TinyModels.Config());
        var options = Fast();
        options.CriticLearningRate = 3e-3;
        using var updater = new PolicyUpdater(model, options, paddingId: 0, critic: critic);
        var rows = Enumerable.Range(0, 16).Select(i => (Prompt: new[] { 3, 10 + i % 2 }, Response: new[] { 20, 21 })).ToList();
        var old = updater.LogProbs(rows);
        double? firstLoss = null, lastLoss = null;
        for (var step = 0; step < 60; step++)
        {
            var values = updater.Values(rows);
            var training = rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [0f, 0f], values[i], [i % 2 == 0 ? 1f : -1f, i % 2 == 0 ? 1f : -1f])).ToList();
            var metrics = updater.Update(training);
            firstLoss ??= metrics.ValueLoss;
            lastLoss = metrics.ValueLoss;
        }
        Assert.That(lastLoss, Is.LessThan(firstLoss!.Value * 0.3), $"value loss {firstLoss} -> {lastLoss}");
    }

    [Test]
    [Category("Slow")]
    public void Memory_and_live_tensors_stay_flat_over_hundreds_of_updates()
    {
        using var model = TinyModels.Create(seed: 17);
        using var reference = TinyModels.Create(seed: 17);
        using var updater = new PolicyUpdater(model, Fast(klLoss: true), paddingId: 0, reference: reference);
        var rows = Enumerable.Range(0, 16).Select(i => new TrainingRow([3, 10 + i % 5], [20 + i % 7, 4], [-2f, -2f], [i % 2 == 0 ? 1f : -1f, 0.5f])).ToList();
        long LiveTensors() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 20; i++) updater.Update(rows);
        var live = LiveTensors();
        GC.Collect();
        var memory = GC.GetTotalMemory(true);
        for (var i = 0; i < 300; i++) updater.Update(rows);
        Assert.That(LiveTensors(), Is.EqualTo(live), "no tensor leaks out of the per-micro-batch dispose scopes");
        GC.Collect();
        Assert.That(GC.GetTotalMemory(true), Is.LessThan(memory + 8_000_000), "managed memory does not grow with the number of updates");
    }

    /// <summary>Token k decodes to "t{k}"; nothing ends a turn.</summary>
    private sealed class FixedTokenizer(int size) : ITextTokenizer
    {
        public int VocabularySize => size;
        public int PaddingId => 0;
        public IReadOnlyList<int> EndOfTurnIds => [];
        public ChatTemplate ChatTemplate => ChatTemplate.ChatML;
        public int[] Encode(string text) => [];
        public int[] Encode(RenderedPrompt prompt) => [];
        public string Decode(ReadOnlySpan<int> ids) => string.Concat(ids.ToArray().Select(i => $"t{i} "));
        public string ApplyChatTemplate(string userMessage) => userMessage;
        public void WriteTo(string folder) => throw new NotSupportedException();
    }

    [Test]
    public void Mini_batch_shuffles_are_seeded_the_same_in_every_process()
    {
        // Golden values from an independent SplitMix64 (Python): HashCode would differ per process and break resumed runs.
        Assert.That(PolicyUpdater.ShuffleSeed(1, 0, 0), Is.EqualTo(2065550767));
        Assert.That(PolicyUpdater.ShuffleSeed(1, 7, 1), Is.EqualTo(231405463));
        Assert.That(PolicyUpdater.ShuffleSeed(42, 1000, 3), Is.EqualTo(557598748));
    }
}
