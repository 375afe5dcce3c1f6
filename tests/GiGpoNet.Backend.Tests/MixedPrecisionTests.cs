using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Tests;

/// <summary><c>Backend:Dtype=bfloat16</c>: half-precision weights trained on float32 master weights and float32 optimizer state.</summary>
public sealed class MixedPrecisionTests
{
    private const double LearningRate = 2e-4; // a step far below bfloat16's spacing near the weights' values
    private static readonly long[] Sequence = [3, 10, 11, 12, 13, 14, 15, 16];

    private static Qwen2ForCausalLM Bfloat16Model(int seed)
    {
        var model = TinyModels.Create(seed);
        model.to(ScalarType.BFloat16);
        return model;
    }

    private static void Backward(Qwen2ForCausalLM model, int shift)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Sequence.Select(t => (t + shift) % 64).ToArray(), [1, 8]);
        var logits = model.Forward(ids[.., ..7], ones(1, 7, ScalarType.Int64));
        F.cross_entropy(logits.reshape(-1, 64).to_type(ScalarType.Float32), ids[.., 1..].reshape(-1)).backward();
    }

    private static float[][] Weights(Qwen2ForCausalLM model)
    {
        using var scope = NewDisposeScope();
        return [.. model.parameters().Select(p => p.detach().to_type(ScalarType.Float32).cpu().data<float>().ToArray())];
    }

    [Test]
    public void Bfloat16_weights_are_the_rounded_float32_masters_of_a_float32_AdamW_given_the_same_gradients()
    {
        using var half = Bfloat16Model(seed: 9);
        using var full = TinyModels.Create(seed: 9);
        using (no_grad())
            foreach (var (target, source) in full.parameters().Zip(half.parameters())) target.copy_(source); // the same (rounded) start
        var start = Weights(half);
        using var mixed = new AdamWOptimizer(half.parameters(), weightDecay: 0.01);
        using var reference = new AdamWOptimizer(full.parameters(), weightDecay: 0.01);
        for (var step = 0; step < 40; step++)
        {
            mixed.ZeroGrad();
            Backward(half, step);
            using (var scope = NewDisposeScope())
                foreach (var (target, source) in full.parameters().Zip(half.parameters()))
                    target.grad = source.grad!.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
            mixed.Step(LearningRate);
            reference.Step(LearningRate);
        }

        using var scope2 = NewDisposeScope();
        var expected = full.parameters().Select(p => p.detach().to_type(ScalarType.BFloat16).to_type(ScalarType.Float32).data<float>().ToArray()).ToList();
        var actual = Weights(half);
        Assert.That(actual.Zip(expected).All(p => p.First.SequenceEqual(p.Second)), Is.True, "the bfloat16 weights are not the rounded masters");
        Assert.That(half.parameters().All(p => p.dtype == ScalarType.BFloat16), Is.True, "the model stays in bfloat16");
        var moved = actual.Zip(start).Sum(p => p.First.Zip(p.Second).Count(v => v.First != v.Second));
        Assert.That(moved, Is.GreaterThan(actual.Sum(w => w.Length) / 4), "the small steps accumulated in the masters reach the weights");
    }

    [Test]
    public void Saved_masters_let_a_bfloat16_run_continue_exactly_and_float32_state_is_refused()
    {
        var folder = Directory.CreateTempSubdirectory("adamw-bf16-").FullName;
        try
        {
            using var uninterrupted = Bfloat16Model(seed: 10);
            using var optimizer = new AdamWOptimizer(uninterrupted.parameters(), weightDecay: 0.01);
            using var resumed = Bfloat16Model(seed: 10);
            using (var first = new AdamWOptimizer(resumed.parameters(), weightDecay: 0.01))
            {
                for (var step = 0; step < 3; step++)
                {
                    first.ZeroGrad();
                    Backward(resumed, step);
                    first.Step(LearningRate);
                }
                first.Save(Path.Combine(folder, "state.safetensors"));
            }
            using var second = new AdamWOptimizer(resumed.parameters(), weightDecay: 0.01);
            second.Load(Path.Combine(folder, "state.safetensors"));
            for (var step = 0; step < 8; step++)
            {
                optimizer.ZeroGrad();
                Backward(uninterrupted, step);
                optimizer.Step(LearningRate);
                if (step < 3) continue;
                second.ZeroGrad();
                Backward(resumed, step);
                second.Step(LearningRate);
            }
            Assert.That(Weights(resumed).Zip(Weights(uninterrupted)).All(p => p.First.SequenceEqual(p.Second)), Is.True);

            using var full = TinyModels.Create(seed: 10);
            using (var fullOptimizer = new AdamWOptimizer(full.parameters(), weightDecay: 0.01)) fullOptimizer.Save(Path.Combine(folder, "float32.safetensors"));
            using var target = new AdamWOptimizer(resumed.parameters(), weightDecay: 0.01);
            var error = Assert.Throws<InvalidDataException>(() => target.Load(Path.Combine(folder, "float32.safetensors")))!;
            Assert.That(error.Message, Does.Contain("Backend:Dtype"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void A_bfloat16_policy_and_critic_update_on_float32_state()
    {
        using var policy = Bfloat16Model(seed: 11);
        manual_seed(12);
        using var critic = new Qwen2ForValue(TinyModels.Config());
        critic.to(ScalarType.BFloat16);
        var before = Weights(policy);
        using var updater = new PolicyUpdater(policy, new UpdateOptions { UseKlLoss = false, LearningRate = 1e-3 }, paddingId: 0, critic: critic);
        int[] prompt = [3, 10, 11], response = [12, 13];
        var old = updater.LogProbs([(prompt, response)]);
        var values = updater.Values([(prompt, response)]);
        var metrics = updater.Update([new TrainingRow(prompt, response, old[0], [1f, 1f], values[0], [1f, 0.5f])]);
        Assert.That(metrics.OptimizerSteps, Is.EqualTo(1));
        Assert.That(metrics.ValueLoss, Is.Not.Null.And.Matches<double?>(v => double.IsFinite(v!.Value)));
        Assert.That(Weights(policy).Zip(before).Any(p => !p.First.SequenceEqual(p.Second)), Is.True, "the update changed the policy");
        Assert.That(policy.parameters().Concat(critic.parameters()).All(p => p.dtype == ScalarType.BFloat16), Is.True);
    }
}
