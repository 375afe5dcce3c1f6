using System.Text.Json;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Tests.HuggingFace;
using GiGpoNet.Backend.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using TorchSharp;

namespace GiGpoNet.Backend.Tests;

/// <summary>
/// The from-scratch policy's shape options: <see cref="PolicyModelOptions.TieWordEmbeddings"/> (one matrix for reading and writing
/// tokens) and <see cref="PolicyModelOptions.SpacesApart"/> (a word has one id wherever it stands).
/// </summary>
public sealed class FromScratchPolicyTests
{
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("gigpo-from-scratch-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private static TorchLearnerFactory Factory(bool tied, bool spacesApart = false) => new(new BackendOptions { Device = "cpu" },
        new PolicyModelOptions
        {
            Layers = 1, HiddenSize = 32, Heads = 2, KeyValueHeads = 1, IntermediateSize = 64, VocabularyWords = 40, TieWordEmbeddings = tied,
            SpacesApart = spacesApart,
        },
        new UpdateOptions(), maxResponseTokens: 8);

    private static int[] Generate(ILearner learner) =>
        learner.Policy.GenerateAsync([new PolicyPrompt("take the apple from the fridge")], new GenerationSettings(1.0, 1.0, -1, 6, [], Seed: 5))
            .AsTask().GetAwaiter().GetResult()[0].ResponseTokenIds.ToArray();

    [TestCase(true, false)]
    [TestCase(false, false)]
    [TestCase(true, true)]
    public void A_from_scratch_policy_has_an_lm_head_only_when_untied_and_loads_back_as_saved(bool tied, bool spacesApart)
    {
        var policy = Path.Combine(_folder, "policy");
        int[] before;
        using (var learner = Factory(tied, spacesApart).Create(new LearnerStart(null, Corpus, Seed: 3)))
        {
            learner.SavePolicy(policy);
            before = Generate(learner);
        }

        using (var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(policy, "config.json"))))
            Assert.That(config.RootElement.GetProperty("tie_word_embeddings").GetBoolean(), Is.EqualTo(tied));
        var weights = Directory.GetFiles(policy, "*.safetensors").Single();
        var names = ForeignCheckpoint.HeaderNames(weights);
        Assert.That(names, Does.Contain("model.embed_tokens.weight"));
        Assert.That(names.Contains("lm_head.weight"), Is.EqualTo(!tied));

        Assert.That(File.ReadAllText(Path.Combine(policy, PolicyCheckpoints.VocabularyFile)).Contains("\"spaces_apart\":true"), Is.EqualTo(spacesApart));

        using (var scope = torch.NewDisposeScope())
        {
            // Tied, the shared matrix starts as an untied lm_head (uniform in ±1/√32), not at nn.Embedding's N(0, 1).
            var embedding = SafeTensors.Load(weights)["model.embed_tokens.weight"];
            var (largest, std) = (embedding.abs().max().item<float>(), embedding.std().item<float>());
            Assert.That(largest, tied ? Is.LessThanOrEqualTo(1 / Math.Sqrt(32)) : Is.GreaterThan(2));
            Assert.That(std, tied ? Is.EqualTo(1 / Math.Sqrt(3 * 32)).Within(0.01) : Is.EqualTo(1).Within(0.1));
        }

        // Loading takes the saved config and vocabulary, whatever the factory's own options say.
        using var loaded = Factory(!tied, !spacesApart).Create(new LearnerStart(policy, [], Seed: 3));
        Assert.That(Generate(loaded), Is.EqualTo(before));
    }

    [Test]
    public void Both_are_refused_for_a_pretrained_folder_whose_files_decide()
    {
        var problems = new PolicyModelOptions { Path = _folder, TieWordEmbeddings = true, SpacesApart = true }.Validate().ToList();
        Assert.That(problems, Has.Some.StartsWith("Policy:TieWordEmbeddings applies to a policy trained from scratch").And.Contains("tie_word_embeddings"));
        Assert.That(problems, Has.Some.StartsWith("Policy:SpacesApart applies to a policy trained from scratch").And.Contains("tokenizer.json"));
    }

    [Test]
    public void The_effective_configuration_names_them_only_when_they_are_on()
    {
        var defaults = JsonSerializer.Serialize(new PolicyModelOptions());
        Assert.That(defaults, Does.Not.Contain(nameof(PolicyModelOptions.TieWordEmbeddings)).And.Not.Contain(nameof(PolicyModelOptions.SpacesApart)));
        Assert.That(JsonSerializer.Serialize(new PolicyModelOptions { TieWordEmbeddings = true, SpacesApart = true }),
            Does.Contain("\"TieWordEmbeddings\":true").And.Contain("\"SpacesApart\":true"));
    }
}
