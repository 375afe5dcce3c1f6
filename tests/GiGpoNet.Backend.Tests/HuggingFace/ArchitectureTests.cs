using System.Text.Json.Nodes;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests.HuggingFace;

/// <summary>
/// Qwen3, Llama and Mistral checkpoints beside Qwen2, each rope_scaling type and sliding windows, written by code that shares nothing
/// with the project's, give the logits of the independent forward pass to 1e-4; what the backend does not implement is refused by
/// name before anything is built; a saved folder keeps what its config.json declared.
/// </summary>
public sealed class ArchitectureTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Path.Combine(Path.GetTempPath(), "gigpo-arch-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        foreach (var folder in new[] { _folder, _folder + "-saved" })
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
    }

    private static readonly int[] Tokens = [3, 17, 0, 28, 5, 5, 11, 2, 19, 7, 26, 1];

    private static double WorstDifference(ForeignCheckpoint checkpoint, string folder, IReadOnlyList<int> tokens)
    {
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.LoadCausalLM(folder);
        var ids = tensor(tokens.Select(t => (long)t).ToArray(), ScalarType.Int64).unsqueeze(0);
        var logits = model.Forward(ids, ones_like(ids)).squeeze(0).data<float>().ToArray();
        var expected = ReferenceQwen2Forward.Logits(checkpoint, tokens);
        var worst = 0.0;
        for (var t = 0; t < tokens.Count; t++)
        for (var v = 0; v < checkpoint.Vocab; v++)
            worst = Math.Max(worst, Math.Abs(logits[t * checkpoint.Vocab + v] - expected[t][v]));
        return worst;
    }

    private static ForeignCheckpoint Checkpoint(string modelType, bool tied = false, int? headDim = null, bool attentionBias = false, bool mlpBias = false,
        JsonObject? rope = null, int? window = null, int maxWindowLayers = 0, int maxPositions = 512) => new()
    {
        ModelType = modelType, Vocab = 29, Hidden = 16, Intermediate = 24, Layers = 2, Heads = 4, KvHeads = 2, Tied = tied, RopeTheta = 10_000,
        ExplicitHeadDim = headDim, AttentionBias = attentionBias, MlpBias = mlpBias, RopeScaling = rope, SlidingWindow = window,
        MaxWindowLayers = maxWindowLayers, MaxPositions = maxPositions,
    };

    [TestCase("qwen3", false, false, 1, null, false)]
    [TestCase("qwen3", true, true, 3, 6, false)]
    [TestCase("qwen3", false, false, 1, 8, true)]
    [TestCase("llama", false, false, 1, null, false)]
    [TestCase("llama", true, true, 2, null, true)]
    [TestCase("llama", false, false, 1, 6, false)]
    [TestCase("mistral", false, false, 1, null, false)]
    [TestCase("mistral", true, true, 2, null, false)]
    public void An_architecture_gives_the_logits_of_the_independent_forward(string modelType, bool tied, bool bf16, int shards, int? headDim, bool biases)
    {
        var checkpoint = Checkpoint(modelType, tied, headDim, attentionBias: biases, mlpBias: biases && modelType == "llama").Randomize(seed: 11 + shards, bf16);
        checkpoint.Write(_folder, bf16, shards);
        Assert.That(WorstDifference(checkpoint, _folder, Tokens), Is.LessThan(1e-4), "largest logit difference from the reference forward");
    }

    private static JsonObject Rope(string type, double factor, params (string Key, JsonNode Value)[] more)
    {
        var node = new JsonObject { ["rope_type"] = type, ["factor"] = factor };
        foreach (var (key, value) in more) node[key] = value;
        return node;
    }

    private static IEnumerable<TestCaseData> RopeCases()
    {
        yield return new TestCaseData("linear", Rope("linear", 4), 512).SetName("rope_scaling linear");
        yield return new TestCaseData("dynamic, within max_position_embeddings", Rope("dynamic", 2), 512).SetName("rope_scaling dynamic, short");
        yield return new TestCaseData("dynamic, past max_position_embeddings", Rope("dynamic", 2), 8).SetName("rope_scaling dynamic, long");
        yield return new TestCaseData("yarn", Rope("yarn", 4, ("original_max_position_embeddings", 16)), 64).SetName("rope_scaling yarn");
        yield return new TestCaseData("yarn with betas and no truncation", Rope("yarn", 8, ("original_max_position_embeddings", 32), ("beta_fast", 8.0),
            ("beta_slow", 2.0), ("truncate", false)), 256).SetName("rope_scaling yarn, betas");
        yield return new TestCaseData("yarn with mscale", Rope("yarn", 4, ("mscale", 0.707), ("mscale_all_dim", 1.0)), 64).SetName("rope_scaling yarn, mscale");
        yield return new TestCaseData("yarn with an attention factor", Rope("yarn", 4, ("attention_factor", 0.8)), 64).SetName("rope_scaling yarn, attention factor");
        yield return new TestCaseData("llama3", Rope("llama3", 8, ("low_freq_factor", 1.0), ("high_freq_factor", 4.0), ("original_max_position_embeddings", 64)),
            512).SetName("rope_scaling llama3");
        yield return new TestCaseData("type instead of rope_type", new JsonObject { ["type"] = "linear", ["factor"] = 2.0 }, 512).SetName("rope_scaling type");
    }

    [TestCaseSource(nameof(RopeCases))]
    public void Every_rope_scaling_type_gives_the_logits_of_the_independent_forward(string what, JsonObject rope, int maxPositions)
    {
        foreach (var modelType in new[] { "llama", "qwen3" })
        {
            var checkpoint = Checkpoint(modelType, rope: rope, maxPositions: maxPositions).Randomize(seed: 3, bf16: false);
            checkpoint.Write(_folder, bf16: false);
            Assert.That(WorstDifference(checkpoint, _folder, Tokens), Is.LessThan(1e-4), $"{modelType}, {what}");
            Directory.Delete(_folder, true);
        }
    }

    [Test]
    public void Scaled_frequencies_are_not_the_default_ones_so_the_checks_above_can_fail()
    {
        var plain = Checkpoint("llama").Randomize(seed: 3, bf16: false);
        plain.Write(_folder, bf16: false);
        foreach (var rope in RopeCases().Select(c => (JsonObject)c.Arguments[1]!).Where(r => r["factor"]!.GetValue<double>() != 2 || r.ContainsKey("type")))
        {
            var scaled = Checkpoint("llama", rope: rope, maxPositions: 8).Randomize(seed: 3, bf16: false);
            Assert.That(WorstDifference(scaled, _folder, Tokens), Is.GreaterThan(1e-3), $"the unscaled model is far from {rope.ToJsonString()}");
        }
    }

    [TestCase("qwen2", 3, 1)]
    [TestCase("qwen3", 4, 0)]
    [TestCase("mistral", 3, 0)]
    public void A_sliding_window_gives_the_logits_of_the_independent_forward_and_matters(string modelType, int window, int maxWindowLayers)
    {
        var checkpoint = Checkpoint(modelType, window: window, maxWindowLayers: maxWindowLayers).Randomize(seed: 8, bf16: false);
        checkpoint.Write(_folder, bf16: false);
        Assert.That(WorstDifference(checkpoint, _folder, Tokens), Is.LessThan(1e-4));
        var full = Checkpoint(modelType).Randomize(seed: 8, bf16: false);
        Assert.That(WorstDifference(full, _folder, Tokens), Is.GreaterThan(1e-3), "the window changes the logits of a sequence longer than it");
    }

    [Test]
    public void Cached_generation_attends_within_the_window_as_the_full_forward_does()
    {
        var checkpoint = Checkpoint("mistral", window: 3).Randomize(seed: 8, bf16: false);
        checkpoint.Write(_folder, bf16: false);
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.LoadCausalLM(_folder);
        using var noGrad = no_grad();
        var ids = tensor(Tokens.Select(t => (long)t).ToArray(), ScalarType.Int64).unsqueeze(0);
        var full = model.Forward(ids, ones_like(ids)).squeeze(0);
        using var cache = new KvCache(model.Config, 1, Tokens.Length, ScalarType.Float32, CPU);
        var steps = new List<Tensor> { model.Forward(ids.narrow(1, 0, 4), ones(1, 4, dtype: ScalarType.Int64), cache).squeeze(0) };
        for (var i = 4; i < Tokens.Length; i++) steps.Add(model.Forward(ids.narrow(1, i, 1), ones(1, i + 1, dtype: ScalarType.Int64), cache).squeeze(0));
        Assert.That(cat(steps, 0).allclose(full, rtol: 0, atol: 1e-4), Is.True);
    }

    private void WriteConfig(Action<JsonObject> change)
    {
        var checkpoint = Checkpoint("llama").Randomize(seed: 1, bf16: false);
        checkpoint.Write(_folder, bf16: false);
        var path = Path.Combine(_folder, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        change(config);
        File.WriteAllText(path, config.ToJsonString());
    }

    [TestCase("Gemma", "GemmaForCausalLM")]
    [TestCase("unknown rope type", "longrope")]
    [TestCase("rope key", "'short_factor'")]
    [TestCase("activation", "hidden_act = 'gelu_pytorch_tanh'")]
    [TestCase("quantized", "'quantization_config'")]
    [TestCase("mismatch", "the two must agree")]
    [TestCase("partial rotary", "partial_rotary_factor")]
    [TestCase("attention dropout", "attention_dropout")]
    [TestCase("no architecture", "names no architecture")]
    [TestCase("huge layer count", "num_hidden_layers = 1000000")]
    [TestCase("weights for fewer layers", "do not match its config.json")]
    [TestCase("wrong type", "hidden_size is \"sixteen\", which is not a whole number")]
    [TestCase("fractional size", "intermediate_size is 31.5, which is not a whole number")]
    [TestCase("nested wrong type", "factor is \"2\", which is not a number")]
    [TestCase("no positions", "max_position_embeddings = 0 must be between 1 and")]
    public void What_the_backend_does_not_implement_is_refused_by_name_before_anything_is_built(string what, string message)
    {
        WriteConfig(config =>
        {
            switch (what)
            {
                case "Gemma": config["architectures"] = new JsonArray("GemmaForCausalLM"); config["model_type"] = "gemma"; break;
                case "unknown rope type": config["rope_scaling"] = new JsonObject { ["rope_type"] = "longrope", ["factor"] = 2.0 }; break;
                case "rope key": config["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = 2.0, ["short_factor"] = new JsonArray(1.0) }; break;
                case "activation": config["hidden_act"] = "gelu_pytorch_tanh"; break;
                case "quantized": config["quantization_config"] = new JsonObject { ["quant_method"] = "gptq" }; break;
                case "mismatch": config["model_type"] = "qwen2"; break;
                case "partial rotary": config["partial_rotary_factor"] = 0.5; break;
                case "attention dropout": config["attention_dropout"] = 0.1; break;
                case "no architecture": config.Remove("architectures"); config.Remove("model_type"); break;
                case "huge layer count": config["num_hidden_layers"] = 1_000_000; break;
                case "weights for fewer layers": config["num_hidden_layers"] = 3; break;
                case "wrong type": config["hidden_size"] = "sixteen"; break;
                case "fractional size": config["intermediate_size"] = 31.5; break;
                case "nested wrong type": config["rope_scaling"] = new JsonObject { ["rope_type"] = "linear", ["factor"] = "2" }; break;
                case "no positions": config["max_position_embeddings"] = 0; break;
            }
        });
        var problems = HuggingFaceCheckpoint.Problems(_folder).ToList();
        Assert.That(problems, Has.Count.EqualTo(1));
        Assert.That(problems[0], Does.Contain(message));
        var e = Assert.Catch(() => HuggingFaceCheckpoint.LoadCausalLM(_folder))!;
        Assert.That(e, Is.InstanceOf<GiGpoNetConfigurationException>().Or.InstanceOf<InvalidDataException>());
    }

    [Test]
    public void A_key_given_twice_in_a_models_json_file_is_refused_naming_it()
    {
        WriteConfig(_ => { });
        var path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("{", "{\"hidden_size\": 16, ", StringComparison.Ordinal));
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => HuggingFaceCheckpoint.LoadCausalLM(_folder).Dispose())!;
        Assert.That(e.Message, Does.Contain("Duplicate property 'hidden_size'").And.Contain(path));
    }

    [TestCase(float.NaN)]
    [TestCase(float.PositiveInfinity)]
    public void Non_finite_weights_are_refused_when_loading(float value)
    {
        var checkpoint = Checkpoint("qwen2").Randomize(seed: 2, bf16: false);
        checkpoint.Weights["model.layers.1.mlp.up_proj.weight"].Values[17] = value;
        checkpoint.Write(_folder, bf16: false);
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceCheckpoint.LoadCausalLM(_folder).Dispose())!;
        Assert.That(e.Message, Does.Contain("model.layers.1.mlp.up_proj.weight").And.Contain("NaN or infinite"));
    }

    [Test]
    public void A_saved_folder_keeps_the_architecture_and_every_field_of_its_config()
    {
        var rope = Rope("yarn", 4, ("original_max_position_embeddings", 16));
        var checkpoint = Checkpoint("qwen3", tied: true, headDim: 6, rope: rope, window: 5, maxWindowLayers: 1, maxPositions: 64).Randomize(seed: 4, bf16: true);
        checkpoint.Write(_folder, bf16: true);
        var saved = _folder + "-saved";
        using (var model = HuggingFaceCheckpoint.LoadCausalLM(_folder, ScalarType.BFloat16))
            HuggingFaceCheckpoint.Save(model, saved, ScalarType.BFloat16);
        var original = JsonNode.Parse(File.ReadAllText(Path.Combine(_folder, "config.json")))!.AsObject();
        var written = JsonNode.Parse(File.ReadAllText(Path.Combine(saved, "config.json")))!.AsObject();
        foreach (var (key, value) in original)
            Assert.That(JsonNode.DeepEquals(written[key], value) || (value is JsonValue a && written[key] is JsonValue b
                && a.GetValueKind() == System.Text.Json.JsonValueKind.Number && a.GetValue<double>() == b.GetValue<double>()), Is.True,
                $"{key}: {value?.ToJsonString()} became {written[key]?.ToJsonString()}");
        Assert.That(ForeignCheckpoint.HeaderNames(Path.Combine(saved, HuggingFaceCheckpoint.SingleFile)), Is.EquivalentTo(checkpoint.Layout().Select(l => l.Name)));
        Assert.That(WorstDifference(checkpoint, saved, Tokens), Is.LessThan(1e-4), "the saved folder loads back to the same model");
    }
}
