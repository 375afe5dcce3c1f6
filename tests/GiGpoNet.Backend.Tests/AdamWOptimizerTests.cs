using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Backend.Tests;

public sealed class AdamWOptimizerTests
{
    private static readonly long[] Sequence = [3, 10, 11, 12, 13, 14, 15, 16];

    /// <summary>One forward/backward of a next-token loss; the gradients are left on the parameters.</summary>
    private static void Backward(Qwen2ForCausalLM model, int shift)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Sequence.Select(t => (t + shift) % 64).ToArray(), [1, 8]);
        var mask = ones(1, 7, ScalarType.Int64);
        var logits = model.Forward(ids[.., ..7], mask);
        F.cross_entropy(logits.reshape(-1, 64), ids[.., 1..].reshape(-1)).backward();
    }

    private static float[][] Weights(Qwen2ForCausalLM model)
    {
        using var scope = NewDisposeScope();
        return [.. model.parameters().Select(p => p.detach().cpu().data<float>().ToArray())];
    }

    [Test]
    public void Its_steps_equal_TorchSharps_AdamW_to_the_bit_with_weight_decay_and_a_changing_rate()
    {
        using var ours = TinyModels.Create(seed: 5);
        using var theirs = TinyModels.Create(seed: 5);
        using var optimizer = new AdamWOptimizer(ours.parameters(), weightDecay: 0.05);
        using var reference = optim.AdamW(theirs.parameters(), lr: 1e-2, weight_decay: 0.05);
        double[] rates = [1e-2, 5e-3, 2e-2, 1e-3, 1e-2, 7e-3];
        for (var step = 0; step < rates.Length; step++)
        {
            optimizer.ZeroGrad();
            Backward(ours, step);
            optimizer.Step(rates[step]);

            reference.zero_grad();
            Backward(theirs, step);
            foreach (var group in reference.ParamGroups) group.LearningRate = rates[step];
#pragma warning disable GGN002 // TorchSharp's own AdamW is the reference this test compares with
            reference.step();
#pragma warning restore GGN002
        }

        Assert.That(optimizer.Steps, Is.EqualTo(rates.Length));
        var (a, b) = (Weights(ours), Weights(theirs));
        Assert.That(a.Zip(b).All(p => p.First.SequenceEqual(p.Second)), Is.True, "the weights differ from TorchSharp's AdamW after the same steps");
        Assert.That(a.Zip(Weights(TinyModels.Create(seed: 5))).Any(p => !p.First.SequenceEqual(p.Second)), Is.True, "the steps changed nothing");
    }

    [Test]
    public void A_parameter_without_a_gradient_is_left_alone()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 6);
        using var optimizer = new AdamWOptimizer(model.parameters(), weightDecay: 0.1);
        var before = Weights(model);
        Backward(model, 0);
        model.parameters().First().grad = null;
        optimizer.Step(1e-2);
        var after = Weights(model);
        Assert.That(after[0], Is.EqualTo(before[0]), "a parameter without a gradient was changed (weight decay must skip it too)");
        Assert.That(after[1], Is.Not.EqualTo(before[1]), "a parameter with a gradient was not changed");
    }

    [Test]
    public void Saved_state_continues_exactly_where_it_stopped()
    {
        var folder = Directory.CreateTempSubdirectory("adamw-").FullName;
        try
        {
            using var uninterrupted = TinyModels.Create(seed: 7);
            using var optimizer = new AdamWOptimizer(uninterrupted.parameters(), weightDecay: 0.01);
            using var resumed = TinyModels.Create(seed: 7);
            using (var first = new AdamWOptimizer(resumed.parameters(), weightDecay: 0.01))
            {
                for (var step = 0; step < 3; step++)
                {
                    first.ZeroGrad();
                    Backward(resumed, step);
                    first.Step(1e-2);
                }
                first.Save(Path.Combine(folder, "state.safetensors"));
            }
            using var second = new AdamWOptimizer(resumed.parameters(), weightDecay: 0.01);
            second.Load(Path.Combine(folder, "state.safetensors"));
            Assert.That(second.Steps, Is.EqualTo(3));

            for (var step = 0; step < 5; step++)
            {
                optimizer.ZeroGrad();
                Backward(uninterrupted, step);
                optimizer.Step(1e-2);
                if (step < 3) continue;
                second.ZeroGrad();
                Backward(resumed, step);
                second.Step(1e-2);
            }
            Assert.That(Weights(resumed).Zip(Weights(uninterrupted)).All(p => p.First.SequenceEqual(p.Second)), Is.True);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void State_of_another_model_is_refused_and_nothing_changes()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("adamw-").FullName, "state.safetensors");
        try
        {
            using var small = new Qwen2ForCausalLM(TinyModels.Config(vocabulary: 32));
            using (var optimizer = new AdamWOptimizer(small.parameters(), weightDecay: 0)) optimizer.Save(path);
            using var model = TinyModels.Create(seed: 8);
            using var target = new AdamWOptimizer(model.parameters(), weightDecay: 0);
            var error = Assert.Throws<InvalidDataException>(() => target.Load(path))!;
            Assert.That(error.Message, Does.Contain("does not have the shape of parameter"));
            Assert.That(target.Steps, Is.Zero);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }
}
