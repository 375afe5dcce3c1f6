using System.Text.Json;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Tests.HuggingFace;
using GiGpoNet.Backend.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;

namespace GiGpoNet.Backend.Tests;

/// <summary><see cref="PolicyModelOptions.TieWordEmbeddings"/>: a from-scratch policy with one matrix for reading and writing tokens.</summary>
public sealed class TiedEmbeddingPolicyTests
{
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("gigpo-tied-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private static TorchLearnerFactory Factory(bool tied) => new(new BackendOptions { Device = "cpu" },
        new PolicyModelOptions { Layers = 1, HiddenSize = 32, Heads = 2, KeyValueHeads = 1, IntermediateSize = 64, VocabularyWords = 40, TieWordEmbeddings = tied },
        new UpdateOptions(), maxResponseTokens: 8);

    private static int[] Generate(ILearner learner) =>
        learner.Policy.GenerateAsync([new PolicyPrompt("take the apple from the fridge")], new GenerationSettings(1.0, 1.0, -1, 6, [], Seed: 5))
            .AsTask().GetAwaiter().GetResult()[0].ResponseTokenIds.ToArray();

    [TestCase(true)]
    [TestCase(false)]
    public void A_from_scratch_policy_has_an_lm_head_only_when_untied_and_loads_back_as_saved(bool tied)
    {
        var policy = Path.Combine(_folder, "policy");
        int[] before;
        using (var learner = Factory(tied).Create(new LearnerStart(null, Corpus, Seed: 3)))
        {
            learner.SavePolicy(policy);
            before = Generate(learner);
        }

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(policy, "config.json"))))
            Assert.That(config.RootElement.GetProperty("tie_word_embeddings").GetBoolean(), Is.EqualTo(tied));
        var names = Directory.GetFiles(policy, "*.safetensors").SelectMany(ForeignCheckpoint.HeaderNames).ToList();
        Assert.That(names, Does.Contain("model.embed_tokens.weight"));
        Assert.That(names.Contains("lm_head.weight"), Is.EqualTo(!tied));

        // Loading takes the saved config, whatever the factory's own option says.
        using var loaded = Factory(!tied).Create(new LearnerStart(policy, [], Seed: 3));
        Assert.That(Generate(loaded), Is.EqualTo(before));
    }

    [Test]
    public void Tying_is_refused_for_a_pretrained_folder_whose_config_decides()
    {
        var problems = new PolicyModelOptions { Path = _folder, TieWordEmbeddings = true }.Validate().ToList();
        Assert.That(problems, Has.Some.StartsWith("Policy:TieWordEmbeddings applies to a policy trained from scratch").And.Contains("tie_word_embeddings"));
    }

    [Test]
    public void The_effective_configuration_names_the_setting_only_when_it_is_on()
    {
        Assert.That(JsonSerializer.Serialize(new PolicyModelOptions()), Does.Not.Contain(nameof(PolicyModelOptions.TieWordEmbeddings)));
        Assert.That(JsonSerializer.Serialize(new PolicyModelOptions { TieWordEmbeddings = true }), Does.Contain("\"TieWordEmbeddings\":true"));
    }
}
