using GiGpoNet.Advantages;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace GiGpoNet.Backend.Tests;

/// <summary>Truncated importance sampling against a rollout engine that is not the learner, and the mismatch it reports.</summary>
public sealed class RolloutCorrectionTests
{
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];

    [Test]
    public void Weights_are_the_truncated_probability_ratios_and_the_metrics_describe_the_mismatch()
    {
        float[][] learner = [[-1f, -2f], [-0.5f]];
        float[][] rollout = [[-1.5f, -1f], [-0.5f]];
        var (weights, metrics) = RolloutCorrection.Compute(learner, rollout, threshold: 1.5);

        double[] ratios = [Math.Exp(0.5), Math.Exp(-1), 1];
        Assert.That(weights[0], Is.EqualTo(new[] { 1.5f, (float)ratios[1] }).Within(1e-6), "the first ratio, e^0.5 = 1.65, is truncated at 1.5");
        Assert.That(weights[1], Is.EqualTo(new[] { 1f }));
        Assert.That(metrics[RolloutCorrection.WeightMean], Is.EqualTo(ratios.Average()).Within(1e-9), "the mean before truncation");
        Assert.That(metrics[RolloutCorrection.TruncatedFraction], Is.EqualTo(1.0 / 3).Within(1e-12));
        Assert.That(metrics[RolloutCorrection.Kl], Is.EqualTo((-0.5 + 1 + 0) / 3).Within(1e-7), "mean of logπ_rollout − logπ_learner");
        Assert.That(metrics[RolloutCorrection.K3Kl], Is.EqualTo(ratios.Select(r => r - Math.Log(r) - 1).Average()).Within(1e-7));
    }

    [Test]
    public void With_the_same_weights_on_both_sides_the_ratios_are_one_and_the_update_is_the_uncorrected_one()
    {
        var tokenizer = WordLevelTokenizer.Build(Corpus, 40);
        var (corrected, correctedBatch) = Prepared(tokenizer, new UpdateOptions { UseKlLoss = false, RolloutIsThreshold = 2 });
        var (plain, plainBatch) = Prepared(tokenizer, new UpdateOptions { UseKlLoss = false });
        using (corrected)
        using (plain)
        {
            var withCorrection = corrected.Update(correctedBatch, Advantages(correctedBatch));
            var without = plain.Update(plainBatch, Advantages(plainBatch));
            Assert.That(withCorrection[RolloutCorrection.WeightMean], Is.EqualTo(1).Within(1e-3));
            Assert.That(withCorrection[RolloutCorrection.TruncatedFraction], Is.Zero);
            Assert.That(Math.Abs(withCorrection[RolloutCorrection.Kl]), Is.LessThan(1e-5));
            Assert.That(withCorrection["pg_loss"], Is.EqualTo(without["pg_loss"]).Within(1e-5));
            Assert.That(without.Keys, Has.None.StartsWith("mismatch/"), "no correction, no mismatch metrics");
        }
    }

    [Test]
    public void A_rollout_engine_that_disagrees_is_reported_and_reweights_the_loss()
    {
        var tokenizer = WordLevelTokenizer.Build(Corpus, 40);
        var (corrected, batch) = Prepared(tokenizer, new UpdateOptions { UseKlLoss = false, RolloutIsThreshold = 1.2 }, rolloutShift: -0.3f);
        var (monitored, sameBatch) = Prepared(tokenizer, new UpdateOptions { UseKlLoss = false, RolloutIsThreshold = 1.2, RolloutIs = false }, rolloutShift: -0.3f);
        using (corrected)
        using (monitored)
        {
            var weighted = corrected.Update(batch, Advantages(batch));
            var reported = monitored.Update(sameBatch, Advantages(sameBatch));
            // The "server" gives every token 0.3 less log-probability than the learner: every ratio is e^0.3 = 1.35, truncated at 1.2.
            Assert.That(weighted[RolloutCorrection.WeightMean], Is.EqualTo(Math.Exp(0.3)).Within(1e-4));
            Assert.That(weighted[RolloutCorrection.TruncatedFraction], Is.EqualTo(1));
            Assert.That(weighted[RolloutCorrection.Kl], Is.EqualTo(-0.3).Within(1e-5));
            Assert.That(reported[RolloutCorrection.WeightMean], Is.EqualTo(weighted[RolloutCorrection.WeightMean]), "metrics without applying");
            Assert.That(weighted["pg_loss"], Is.EqualTo(1.2 * reported["pg_loss"]).Within(1e-5), "each token's loss is weighted by 1.2");
        }
    }

    [Test]
    public void Contradictory_or_out_of_range_settings_are_refused_by_name()
    {
        Assert.That(new UpdateOptions { RolloutIsThreshold = 0.5 }.Validate(), Has.Some.Contains("RolloutIsThreshold = 0.5 must be at least 1"));
        Assert.That(new UpdateOptions { RolloutIsThreshold = 2, ReuseRolloutLogProbs = true }.Validate(), Has.Some.Contains("set one of them"));
        var capabilities = new TorchLearnerFactory(new BackendOptions(), new PolicyModelOptions(), new UpdateOptions { RolloutIsThreshold = 2 }, 8).Capabilities;
        Assert.That(capabilities.Requires.HasFlag(RolloutFields.RolloutLogProbs), Is.True);
    }

    /// <summary>A learner and one prepared batch of its own policy's rollout (two one-step trajectories); the rollout log-probs shifted.</summary>
    private static (TorchLearner, RolloutBatch) Prepared(WordLevelTokenizer tokenizer, UpdateOptions update, float rolloutShift = 0)
    {
        var learner = new TorchLearner(TinyModels.Create(seed: 51, vocabulary: tokenizer.VocabularySize), tokenizer, 256, update, new LoraOptions());
        learner.BeginReinforcement(new ReinforcementStart(Critic: false, ResumeFrom: null, Seed: 1));
        var generations = learner.Policy.GenerateAsync([new PolicyPrompt("go to the fridge"), new PolicyPrompt("look around")],
            new GenerationSettings(1.0, 1.0, -1, 5, [], Seed: 3)).AsTask().GetAwaiter().GetResult();
        var batch = RolloutBatch.Create(generations.Select((g, t) => new StepRow
        {
            GroupId = "g", TrajectoryId = $"t{t}", StepIndex = 0, Reward = t, PromptTokenIds = g.PromptTokenIds, ResponseTokenIds = g.ResponseTokenIds,
            RolloutLogProbs = [.. g.ModelLogProbs!.Select(v => v + rolloutShift)],
        }));
        return (learner, learner.Prepare(batch));
    }

    private static AdvantageResult Advantages(RolloutBatch batch) => AdvantageResult.PerRow([.. Enumerable.Range(0, batch.RowCount).Select(r => r == 0 ? 1.0 : -1.0)]);
}
