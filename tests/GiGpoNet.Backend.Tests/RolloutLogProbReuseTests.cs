using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Tests.Lora;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace GiGpoNet.Backend.Tests;

/// <summary>
/// The rollout's model log-probabilities (<see cref="GeneratedSequence.ModelLogProbs"/>) equal the learner's recomputed old
/// log-probabilities, so <see cref="UpdateOptions.ReuseRolloutLogProbs"/> can skip the recomputation.
/// </summary>
public sealed class RolloutLogProbReuseTests
{
    private const float Tolerance = 1e-5f;
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];
    private static readonly string[] Prompts = ["go to the fridge", "take the apple from the table and open the fridge", "look"];

    private static WordLevelTokenizer Tokenizer() => WordLevelTokenizer.Build(Corpus, 40);

    [TestCase(1.0, 1.0, -1)]
    [TestCase(0.7, 0.9, 8)]
    [TestCase(0.0, 1.0, -1)]
    public void The_generator_reports_the_log_probs_the_learner_recomputes(double temperature, double topP, int topK)
    {
        var tokenizer = Tokenizer();
        using var model = TinyModels.Create(seed: 41, vocabulary: tokenizer.VocabularySize);
        using var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 4, Alpha = 8 });
        LoraTests.Perturb(adapters, seed: 42); // the rollout runs on base + a trained adapter, as in a LoRA run
        var prompts = Prompts.Select(p => tokenizer.Encode(p)).ToList();
        // The middle prompt is constrained: its model log-probabilities are those of the unconstrained distribution.
        IReadOnlyList<IReadOnlyList<int[]>?> allowed = [null, [tokenizer.Encode("open it"), tokenizer.Encode("look around")], null];
        var generated = new TextGenerator(model, tokenizer).Generate(prompts,
            new SamplingOptions(temperature, topP, topK, MaxNewTokens: 6, Seed: 7), allowed: allowed);
        using var updater = new PolicyUpdater(model, new UpdateOptions { UseKlLoss = false }, tokenizer.PaddingId, trainable: adapters.Parameters());
        var recomputed = updater.LogProbs([.. prompts.Select((p, i) => (p, generated[i].TokenIds))]);

        for (var i = 0; i < prompts.Count; i++)
        {
            Assert.That(generated[i].ModelLogProbs, Has.Length.EqualTo(generated[i].TokenIds.Length));
            Assert.That(generated[i].ModelLogProbs, Is.EqualTo(recomputed[i]).Within(Tolerance), $"prompt {i}");
        }
        if (temperature != 1.0)
            Assert.That(generated.Any(g => !g.ModelLogProbs!.SequenceEqual(g.LogProbs)), Is.True,
                "away from temperature 1 the sampling distribution's log-probs differ from the model's");
    }

    [Test]
    public void A_learner_that_reuses_them_prepares_the_old_log_probs_it_would_recompute()
    {
        var tokenizer = Tokenizer();
        using var recomputing = Learner(tokenizer, reuse: false);
        using var reusing = Learner(tokenizer, reuse: true);
        var batch = Rollout(recomputing.Policy);

        var recomputed = recomputing.Prepare(batch).OldLogProbs!;
        var reused = reusing.Prepare(batch).OldLogProbs!;
        var rollout = batch.RolloutLogProbs!;
        for (var row = 0; row < batch.RowCount; row++)
        {
            Assert.That(reused[row].ToArray(), Is.EqualTo(rollout[row].ToArray()), $"row {row}: taken as they are");
            if (batch.Active[row]) Assert.That(recomputed[row].ToArray(), Is.EqualTo(rollout[row].ToArray()).Within(Tolerance), $"row {row}");
        }
    }

    [Test]
    public void Reuse_without_the_rollout_log_probs_names_the_option()
    {
        var tokenizer = Tokenizer();
        using var learner = Learner(tokenizer, reuse: true);
        var rows = Rollout(learner.Policy, keepRolloutLogProbs: false);
        var error = Assert.Throws<InvalidOperationException>(() => learner.Prepare(rows));
        Assert.That(error!.Message, Does.Contain("Update:ReuseRolloutLogProbs").And.Contain("ModelLogProbs"));
    }

    [Test]
    public void The_learner_requires_the_rollout_log_probs_only_when_it_reuses_them()
    {
        var options = new BackendOptions();
        LearnerCapabilities Capabilities(bool reuse) =>
            new TorchLearnerFactory(options, new PolicyModelOptions(), new UpdateOptions { ReuseRolloutLogProbs = reuse }, 8).Capabilities;
        Assert.That(Capabilities(false).Requires.HasFlag(RolloutFields.RolloutLogProbs), Is.False);
        Assert.That(Capabilities(true).Requires.HasFlag(RolloutFields.RolloutLogProbs), Is.True);
    }

    private static TorchLearner Learner(WordLevelTokenizer tokenizer, bool reuse)
    {
        var learner = new TorchLearner(TinyModels.Create(seed: 43, vocabulary: tokenizer.VocabularySize), tokenizer, 256,
            new UpdateOptions { ReuseRolloutLogProbs = reuse, UseKlLoss = false }, new LoraOptions());
        learner.BeginReinforcement(new ReinforcementStart(Critic: false, ResumeFrom: null, Seed: 1));
        return learner;
    }

    /// <summary>Two trajectories of two turns from the learner's own policy at temperature 0.8; the last row is inactive.</summary>
    private static RolloutBatch Rollout(IPolicy policy, bool keepRolloutLogProbs = true)
    {
        var builder = new RolloutBatchBuilder();
        for (var step = 0; step < 2; step++)
        {
            var generations = policy.GenerateAsync([new PolicyPrompt(Prompts[step]), new PolicyPrompt(Prompts[step + 1])],
                new GenerationSettings(0.8, 1.0, -1, 6, [], Seed: 11 + step)).AsTask().GetAwaiter().GetResult();
            for (var t = 0; t < generations.Count; t++)
                builder.Add(new StepRow
                {
                    GroupId = "g", TrajectoryId = $"t{t}", StepIndex = step, Reward = step, Active = !(step == 1 && t == 1),
                    PromptTokenIds = generations[t].PromptTokenIds, ResponseTokenIds = generations[t].ResponseTokenIds,
                    OldLogProbs = generations[t].LogProbs, RolloutLogProbs = keepRolloutLogProbs ? generations[t].ModelLogProbs : null,
                });
        }
        return builder.Build();
    }
}
