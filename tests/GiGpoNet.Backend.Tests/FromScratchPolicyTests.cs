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
/// tokens), <see cref="PolicyModelOptions.SpacesApart"/> (a word has one id wherever it stands) and
/// <see cref="PolicyModelOptions.ComposeSpacedWords"/> (" apple" starts from the space and "apple").
/// </summary>
public sealed class FromScratchPolicyTests
{
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => _folder = Directory.CreateTempSubdirectory("gigpo-from-scratch-").FullName;

    [TearDown]
    public void RemoveFolder() => Directory.Delete(_folder, recursive: true);

    private const int Hidden = 32;

    /// <summary>The embedding row of token <paramref name="id"/> in a [vocabulary, hidden] matrix read as one array.</summary>
    private static float[] Row(float[] matrix, int id) => matrix[(id * Hidden)..((id + 1) * Hidden)];

    /// <summary>Every tensor of the policy saved under <paramref name="name"/> in the test folder, as float32 arrays.</summary>
    private Dictionary<string, float[]> SavedWeights(string name)
    {
        using var scope = torch.NewDisposeScope();
        return SafeTensors.Load(Directory.GetFiles(Path.Combine(_folder, name), "*.safetensors").Single())
            .ToDictionary(p => p.Key, p => p.Value.to_type(torch.ScalarType.Float32).data<float>().ToArray());
    }

    private static TorchLearnerFactory Factory(bool tied, bool spacesApart = false, bool compose = false, bool numbers = false) => new(
        new BackendOptions { Device = "cpu" },
        new PolicyModelOptions
        {
            Layers = 1, HiddenSize = Hidden, Heads = 2, KeyValueHeads = 1, IntermediateSize = 64, VocabularyWords = 40, TieWordEmbeddings = tied,
            SpacesApart = spacesApart, ComposeSpacedWords = compose, NumberTokens = numbers,
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

    [TestCase(true)]
    [TestCase(false)]
    public void Composed_spaced_words_start_as_the_space_plus_the_bare_word_and_nothing_else_changes(bool tied)
    {
        // " apple" and " table" (in sentences) and "apple" and "table" (after "click[") are both in the vocabulary; " fridge" is not.
        string[] corpus = ["take the apple from the table", "click[apple]", "click[table]", "go to the fridge"];
        Dictionary<string, float[]> Weights(bool compose, string name)
        {
            using (var learner = Factory(tied, compose: compose).Create(new LearnerStart(null, corpus, Seed: 3)))
                learner.SavePolicy(Path.Combine(_folder, name));
            return SavedWeights(name);
        }

        var (plain, composed) = (Weights(compose: false, "plain"), Weights(compose: true, "composed"));
        var tokenizer = Tokenization.WordLevelTokenizer.Load(Path.Combine(_folder, "composed", PolicyCheckpoints.VocabularyFile));
        var words = tokenizer.SpacedWords().ToList();
        Assert.That(words.Select(w => tokenizer.Decode([w.Spaced]) + "|" + tokenizer.Decode([w.Bare])), Is.EquivalentTo(new[] { " apple|apple", " table|table" }));

        var (before, after) = (plain["model.embed_tokens.weight"], composed["model.embed_tokens.weight"]);
        foreach (var (spaced, space, bare) in words)
        {
            var expected = Row(before, space).Zip(Row(before, bare), (a, b) => (a + b) / Math.Sqrt(2));
            Assert.That(Row(after, spaced), Is.EqualTo(expected).Within(1e-6), tokenizer.Decode([spaced]));
            Assert.That(Row(after, spaced), Is.Not.EqualTo(Row(before, spaced)), "the row was replaced");
        }

        var others = Enumerable.Range(0, tokenizer.VocabularySize).Except(words.Select(w => w.Spaced));
        Assert.That(others.Select(id => Row(after, id)), Is.EqualTo(others.Select(id => Row(before, id))), "every other row as without the option");
        Assert.That(composed.Keys, Is.EquivalentTo(plain.Keys));
        foreach (var name in plain.Keys.Where(n => n != "model.embed_tokens.weight"))
            Assert.That(composed[name], Is.EqualTo(plain[name]), name);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Number_tokens_start_ordered_by_value_along_one_direction(bool tied)
    {
        // The direction is fitted on the even values' rows; the odd values' rows, projected on it, must follow ln(1 + value).
        // Rows drawn independently of the value (the option off) would give a correlation near 0 (about ±0.05 on 550 rows).
        using (var learner = Factory(tied, numbers: true).Create(new LearnerStart(null, ["price lower than 47.00 dollars"], Seed: 3)))
            learner.SavePolicy(Path.Combine(_folder, "numbers"));
        var tokenizer = Tokenization.WordLevelTokenizer.Load(Path.Combine(_folder, "numbers", PolicyCheckpoints.VocabularyFile));
        var matrix = SavedWeights("numbers")["model.embed_tokens.weight"];
        var numbers = tokenizer.NumberIds().Select(n => (Row: Row(matrix, n.Id), Order: Math.Log(1 + n.Value), n.Value)).ToList();
        Assert.That(numbers, Has.Count.EqualTo(1110), "0-9, 00-99, 000-999");

        var fit = numbers.Where(n => n.Value % 2 == 0).ToList();
        var (meanOrder, meanRow) = (fit.Average(n => n.Order), Enumerable.Range(0, Hidden).Select(d => fit.Average(n => n.Row[d])).ToArray());
        var direction = Enumerable.Range(0, Hidden).Select(d => fit.Sum(n => (n.Order - meanOrder) * (n.Row[d] - meanRow[d]))).ToArray();
        var held = numbers.Where(n => n.Value % 2 == 1).Select(n => (n.Order, Projection: n.Row.Select((x, d) => x * direction[d]).Sum())).ToList();
        Assert.That(Correlation(held.Select(h => h.Order).ToArray(), held.Select(h => h.Projection).ToArray()), Is.GreaterThan(0.5));
        var fives = numbers.Where(n => n.Value == 5).Select(n => n.Row).ToList();
        Assert.That(fives, Has.Count.EqualTo(3));
        Assert.That(fives, Is.Unique, "\"5\", \"05\" and \"005\" keep rows of their own");
    }

    private static double Correlation(double[] x, double[] y)
    {
        var (mx, my) = (x.Average(), y.Average());
        var covariance = x.Zip(y, (a, b) => (a - mx) * (b - my)).Sum();
        return covariance / Math.Sqrt(x.Sum(a => (a - mx) * (a - mx)) * y.Sum(b => (b - my) * (b - my)));
    }

    [Test]
    public void They_are_refused_for_a_pretrained_folder_whose_files_decide()
    {
        var problems = new PolicyModelOptions { Path = _folder, TieWordEmbeddings = true, SpacesApart = true, ComposeSpacedWords = true, NumberTokens = true }
            .Validate().ToList();
        Assert.That(problems, Has.Some.StartsWith("Policy:TieWordEmbeddings applies to a policy trained from scratch").And.Contains("tie_word_embeddings"));
        Assert.That(problems, Has.Some.StartsWith("Policy:SpacesApart applies to a policy trained from scratch").And.Contains("tokenizer.json"));
        Assert.That(problems, Has.Some.StartsWith("Policy:ComposeSpacedWords applies to a policy trained from scratch"));
        Assert.That(problems, Has.Some.StartsWith("Policy:NumberTokens applies to a policy trained from scratch").And.Contains("tokenizer.json"));
    }

    [Test]
    public void Composed_spaced_words_are_refused_with_spaces_apart()
    {
        Assert.That(new PolicyModelOptions { ComposeSpacedWords = true }.Validate(), Is.Empty);
        Assert.That(new PolicyModelOptions { ComposeSpacedWords = true, SpacesApart = true }.Validate(),
            Has.Some.StartsWith("Policy:ComposeSpacedWords has nothing to compose with Policy:SpacesApart"));
    }
}
