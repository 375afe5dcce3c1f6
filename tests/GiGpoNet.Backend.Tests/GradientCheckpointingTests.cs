using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests;

/// <summary>Activation checkpointing gives the gradients of the plain backward pass (1e-6), for full fine-tuning and for LoRA with dropout.</summary>
public sealed class GradientCheckpointingTests
{
    private static List<float[]> Gradients(Qwen2ForCausalLM model, IReadOnlyList<Parameter> trainable, bool checkpointing)
    {
        using var scope = NewDisposeScope();
        foreach (var p in trainable) p.grad = null;
        model.Body.GradientCheckpointing = checkpointing;
        model.train();
        manual_seed(77); // the same dropout masks in both runs
        var batch = SequenceBatch.Create([([3, 10, 11, 12], [20, 21, 4]), ([5, 6], [30, 31, 32, 4])], paddingId: 0, device: CPU);
        var logits = model.Logits(batch.AtPredictingPositions(model.Hidden(batch.Ids, batch.Attention)));
        var loss = -LossAggregation.Aggregate(TokenStatistics.LogProbs(logits, batch.ResponseIds), batch.ResponseMask, LossAggregationMode.TokenMean);
        loss.backward();
        return [.. trainable.Select(p => p.grad!.data<float>().ToArray())];
    }

    private static void AssertSame(List<float[]> expected, Func<List<float[]>> checkpointed)
    {
        var before = CheckpointedLayer.Recomputations;
        var actual = checkpointed();
        Assert.That(CheckpointedLayer.Recomputations - before, Is.EqualTo(TinyModels.Config().NumHiddenLayers), "each layer was recomputed once");
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        var worst = expected.Zip(actual).Max(p => p.First.Zip(p.Second).Max(v => Math.Abs(v.First - v.Second)));
        Assert.That(worst, Is.LessThan(1e-6), "largest gradient difference");
        Assert.That(expected.Max(g => g.Max(Math.Abs)), Is.GreaterThan(1e-4), "the gradients are not all zero");
    }

    [Test]
    public void Full_fine_tuning_gets_the_same_gradients()
    {
        using var model = TinyModels.Create(seed: 41);
        var parameters = model.parameters().ToList();
        AssertSame(Gradients(model, parameters, checkpointing: false), () => Gradients(model, parameters, checkpointing: true));
    }

    [Test]
    public void Lora_adapters_with_dropout_get_the_same_gradients()
    {
        using var model = TinyModels.Create(seed: 42);
        using var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 4, Alpha = 8, Dropout = 0.3 });
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            using var scale = TorchSharp.ScalarExtensionMethods.ToScalar(0.1);
            foreach (var b in adapters.Parameters().Where((_, i) => i % 2 == 1)) b.copy_(randn_like(b).mul(scale)); // B ≠ 0, so A gets gradients
        }
        AssertSame(Gradients(model, adapters.Parameters(), checkpointing: false), () => Gradients(model, adapters.Parameters(), checkpointing: true));
        Assert.That(model.parameters().All(p => p.grad is null), Is.True, "the frozen base gets no gradient");
    }
}
