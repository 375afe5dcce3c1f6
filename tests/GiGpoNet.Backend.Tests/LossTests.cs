using GiGpoNet.Backend.Training;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests;

public sealed class LossTests
{
    [RequiresDisposeScope]
    private static Tensor Row(params float[] values) => tensor(values).unsqueeze(0);

    [Test]
    public void Ppo_clip_takes_the_pessimistic_term_on_both_sides_and_the_dual_clip_caps_negative_advantages()
    {
        using var scope = NewDisposeScope();
        // Ratios e^{logπ−logπold}: 1.5 (A=+1: clipped to 1.2 -> loss −1.2), 0.5 (A=+1: unclipped 0.5 is worse -> −0.5),
        // 0.5 (A=−1: clip gives −(−1)·0.8 = 0.8 > 0.5 -> 0.8), 4.0 (A=−1: max(4, 1.2) = 4, dual clip caps at 3 -> 3).
        var ratios = new[] { 1.5f, 0.5f, 0.5f, 4.0f };
        var logProb = Row([.. ratios.Select(r => MathF.Log(r))]);
        var old = Row(0, 0, 0, 0);
        var advantages = Row(1, 1, -1, -1);
        var mask = Row(1, 1, 1, 1);
        var result = PolicyLoss.Compute(logProb, old, advantages, mask, 0.2, 0.2, 3.0, LossAggregationMode.TokenMean);
        Assert.That(result.Loss.item<float>(), Is.EqualTo((-1.2 - 0.5 + 0.8 + 3.0) / 4).Within(1e-5));
        Assert.That(result.ClipFraction, Is.EqualTo(0.5).Within(1e-6), "tokens 1 and 3 are clipped");
        Assert.That(result.ClipFractionLower, Is.EqualTo(0.25).Within(1e-6), "token 4 hits the dual clip");
        Assert.That(result.ApproxKl, Is.EqualTo(-ratios.Select(r => MathF.Log(r)).Average()).Within(1e-5));
    }

    [Test]
    public void Separate_low_and_high_clip_ratios()
    {
        using var scope = NewDisposeScope();
        var logProb = Row(MathF.Log(1.5f), MathF.Log(0.5f));
        var result = PolicyLoss.Compute(logProb, Row(0, 0), Row(1, -1), Row(1, 1), 0.1, 0.28, 3.0, LossAggregationMode.SeqMeanTokenSum);
        // A=+1, ρ=1.5 -> −1.28; A=−1, ρ=0.5 -> max(0.5, 0.9) = 0.9. Sum over the row.
        Assert.That(result.Loss.item<float>(), Is.EqualTo(-1.28 + 0.9).Within(1e-5));
    }

    [Test]
    public void Aggregation_modes()
    {
        using var scope = NewDisposeScope();
        var loss = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, [2, 3]);
        var mask = tensor(new float[] { 1, 1, 0, 1, 1, 1 }, [2, 3]);
        Assert.That(LossAggregation.Aggregate(loss, mask, LossAggregationMode.TokenMean).item<float>(), Is.EqualTo(18f / 5).Within(1e-6));
        Assert.That(LossAggregation.Aggregate(loss, mask, LossAggregationMode.SeqMeanTokenSum).item<float>(), Is.EqualTo((3f + 15) / 2).Within(1e-6));
        Assert.That(LossAggregation.Aggregate(loss, mask, LossAggregationMode.SeqMeanTokenMean).item<float>(), Is.EqualTo((1.5f + 5) / 2).Within(1e-6));
        Assert.That(LossAggregation.Aggregate(loss, mask, LossAggregationMode.SeqMeanTokenSumNorm).item<float>(), Is.EqualTo(18f / 3).Within(1e-6));
    }

    [Test]
    public void Kl_estimators_and_the_k3_clamp()
    {
        using var scope = NewDisposeScope();
        var logProb = Row(0.5f, -0.2f, -20f);
        var reference = Row(0f, 0f, 0f);
        var k1 = KlPenalty.Compute(logProb, reference, KlEstimator.K1).data<float>().ToArray();
        var abs = KlPenalty.Compute(logProb, reference, KlEstimator.Abs).data<float>().ToArray();
        var k2 = KlPenalty.Compute(logProb, reference, KlEstimator.K2).data<float>().ToArray();
        var k3 = KlPenalty.Compute(logProb, reference, KlEstimator.K3).data<float>().ToArray();
        Assert.That(k1, Is.EqualTo(new[] { 0.5f, -0.2f, -20f }).Within(1e-6));
        Assert.That(abs, Is.EqualTo(new[] { 0.5f, 0.2f, 20f }).Within(1e-6));
        Assert.That(k2, Is.EqualTo(new[] { 0.125f, 0.02f, 200f }).Within(1e-5));
        Assert.That(k3[0], Is.EqualTo(MathF.Exp(-0.5f) + 0.5f - 1).Within(1e-6));
        Assert.That(k3[1], Is.EqualTo(MathF.Exp(0.2f) - 0.2f - 1).Within(1e-6));
        Assert.That(k3[2], Is.EqualTo(10f), "e^20 − 21 is clamped to 10");
        Assert.That(new KlEstimatorConverter().ConvertFromInvariantString("low_var_kl"), Is.EqualTo(KlEstimator.K3));
    }

    [Test]
    public void Entropy_of_a_uniform_distribution_is_log_of_its_size()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(1, 2, 8);
        Assert.That(TokenStatistics.Entropy(logits).data<float>().ToArray(), Is.All.EqualTo(MathF.Log(8)).Within(1e-5));
    }

    [Test]
    public void The_value_loss_takes_the_larger_of_clipped_and_unclipped_errors()
    {
        using var scope = NewDisposeScope();
        // V_old 0, clip 0.5: V = 2 is clipped to 0.5. Return 1: unclipped (2−1)² = 1, clipped (0.5−1)² = 0.25 -> 1.
        // V = −1 clipped to −0.5, return −2: unclipped 1, clipped 2.25 -> 2.25 (clipped counts).
        var (loss, fraction) = ValueLoss.Compute(Row(2, -1), Row(0, 0), Row(1, -2), Row(1, 1), 0.5, LossAggregationMode.TokenMean);
        Assert.That(loss.item<float>(), Is.EqualTo((1 + 2.25) / 2).Within(1e-6));
        Assert.That(fraction, Is.EqualTo(0.5).Within(1e-6));
        var (upstream, _) = ValueLoss.Compute(Row(2, -1), Row(0, 0), Row(1, -2), Row(1, 1), 0.5, LossAggregationMode.TokenMean, scale: 0.5);
        Assert.That(upstream.item<float>(), Is.EqualTo((1 + 2.25) / 4).Within(1e-6));
    }

    [Test]
    public void Learning_rate_schedules()
    {
        var cosine = new UpdateOptions { Schedule = LearningRateSchedule.Cosine, WarmupSteps = 10, TotalSteps = 110, MinLearningRateRatio = 0.1 };
        Assert.That(cosine.LearningRateFactor(0), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(cosine.LearningRateFactor(9), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(cosine.LearningRateFactor(60), Is.EqualTo(0.55).Within(1e-12));
        Assert.That(cosine.LearningRateFactor(110), Is.EqualTo(0.1).Within(1e-12));
        Assert.That(new UpdateOptions { Schedule = LearningRateSchedule.Warmup, WarmupSteps = 4 }.LearningRateFactor(1), Is.EqualTo(0.5));
        Assert.That(new UpdateOptions { WarmupSteps = 4 }.LearningRateFactor(1), Is.EqualTo(1.0));
    }
}
