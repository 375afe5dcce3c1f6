using System.Text.Json.Nodes;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Lora;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests.Lora;

/// <summary>
/// PEFT adapters written as PEFT writes them, with per-module ranks and alphas (rank_pattern, alpha_pattern), layers_to_transform and
/// rsLoRA: loading merges each module's B·A with the rank and scaling PEFT gives it, worked out here by hand for the config (plain
/// arrays); what the backend does not implement is refused naming the file and the key.
/// </summary>
public sealed class PeftConfigTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Path.Combine(Path.GetTempPath(), "gigpo-peft-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
    }

    /// <summary>A base policy folder (2 layers) with an adapter of the given config and modules: name → (rank), random A and B.</summary>
    private Dictionary<string, (float[] A, float[] B, int Rank)> WriteAdapter(JsonObject config, IReadOnlyDictionary<string, int> modules, int seed)
    {
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go north"], 0);
        manual_seed(seed);
        using (var model = TinyModels.Create(seed: seed, vocabulary: tokenizer.VocabularySize))
            PolicyCheckpoints.Save(model, tokenizer, _folder);
        var adapter = Path.Combine(_folder, PolicyCheckpoints.AdapterFolder);
        Directory.CreateDirectory(adapter);
        File.WriteAllText(Path.Combine(adapter, LoraAdapters.ConfigFile), config.ToJsonString());
        var random = new Random(seed);
        var weights = new Dictionary<string, (float[], float[], int)>();
        using var scope = NewDisposeScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (module, rank) in modules)
        {
            var (rows, columns) = Shape(module);
            var a = Enumerable.Range(0, rank * columns).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            var b = Enumerable.Range(0, rows * rank).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            weights[module] = (a, b, rank);
            tensors.Add(new($"base_model.model.{module}.lora_A.weight", tensor(a).reshape(rank, columns)));
            tensors.Add(new($"base_model.model.{module}.lora_B.weight", tensor(b).reshape(rows, rank)));
        }
        SafeTensors.Save(Path.Combine(adapter, LoraAdapters.WeightsFile), tensors);
        return weights;
    }

    /// <summary>[out, in] of a tiny model's projection (hidden 32, 4 heads of 8, 2 KV heads, MLP 64).</summary>
    private static (int Rows, int Columns) Shape(string module) => module.Split('.')[^1] switch
    {
        "q_proj" or "o_proj" => (32, 32),
        "k_proj" or "v_proj" => (16, 32),
        "gate_proj" or "up_proj" => (64, 32),
        _ => (32, 64),
    };

    private static JsonObject Config(params (string Key, JsonNode? Value)[] more)
    {
        var config = new JsonObject
        {
            ["peft_type"] = "LORA", ["r"] = 4, ["lora_alpha"] = 8, ["target_modules"] = new JsonArray("q_proj", "v_proj", "down_proj"), ["bias"] = "none",
            ["use_rslora"] = false, ["use_dora"] = false, ["modules_to_save"] = null, ["fan_in_fan_out"] = false,
        };
        foreach (var (key, value) in more) config[key] = value;
        return config;
    }

    /// <summary>Asserts every weight of the merged model equals base + scaling · B·A for the modules given, the base elsewhere.</summary>
    private void AssertMerged(IReadOnlyDictionary<string, (float[] A, float[] B, int Rank)> adapters, IReadOnlyDictionary<string, double> scaling)
    {
        using var scope = NewDisposeScope();
        using var plain = HuggingFaceCheckpoint.LoadCausalLM(_folder);
        var (merged, _) = PolicyCheckpoints.Load(_folder, new BackendOptions { Device = "cpu" });
        using (merged)
        {
            var before = plain.state_dict();
            foreach (var (name, weight) in merged.state_dict())
            {
                var module = name[..^".weight".Length];
                var expected = before[name].data<float>().ToArray();
                if (adapters.TryGetValue(module, out var adapter))
                {
                    var (rows, columns) = (weight.shape[0], weight.shape[1]);
                    for (var r = 0; r < rows; r++)
                    for (var c = 0; c < columns; c++)
                    {
                        double sum = 0;
                        for (var k = 0; k < adapter.Rank; k++) sum += adapter.B[r * adapter.Rank + k] * adapter.A[k * columns + c];
                        expected[r * columns + c] += (float)(scaling[module] * sum);
                    }
                }
                var actual = weight.data<float>().ToArray();
                Assert.That(actual.Zip(expected).Max(p => Math.Abs(p.First - p.Second)), Is.LessThan(1e-5), name);
            }
        }
    }

    [Test]
    public void Rank_and_alpha_patterns_and_layers_to_transform_give_each_module_peft_s_rank_and_scaling()
    {
        var config = Config(
            ("rank_pattern", new JsonObject { ["model.layers.1.self_attn.q_proj"] = 2, ["down_proj"] = 6 }),
            ("alpha_pattern", new JsonObject { ["v_proj"] = 24 }),
            ("layers_to_transform", new JsonArray(1)), ("layers_pattern", "layers"));
        // By hand, PEFT's rules: only layer 1; q_proj's full-name key gives r 2 (alpha 8), v_proj keeps r 4 with alpha 24, down_proj r 6.
        var adapters = WriteAdapter(config, new Dictionary<string, int>
        {
            ["model.layers.1.self_attn.q_proj"] = 2, ["model.layers.1.self_attn.v_proj"] = 4, ["model.layers.1.mlp.down_proj"] = 6,
        }, seed: 1);
        AssertMerged(adapters, new Dictionary<string, double>
        {
            ["model.layers.1.self_attn.q_proj"] = 8.0 / 2, ["model.layers.1.self_attn.v_proj"] = 24.0 / 4, ["model.layers.1.mlp.down_proj"] = 8.0 / 6,
        });
    }

    [Test]
    public void Rslora_scales_by_the_square_root_of_the_rank_and_a_regex_target_and_all_linear_select_their_modules()
    {
        var adapters = WriteAdapter(Config(("use_rslora", true), ("target_modules", @".*layers\.0\.mlp\.(gate|up)_proj")),
            new Dictionary<string, int> { ["model.layers.0.mlp.gate_proj"] = 4, ["model.layers.0.mlp.up_proj"] = 4 }, seed: 2);
        AssertMerged(adapters, new Dictionary<string, double> { ["model.layers.0.mlp.gate_proj"] = 8 / 2.0, ["model.layers.0.mlp.up_proj"] = 8 / 2.0 });

        Directory.Delete(_folder, true);
        var all = new[] { "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj" }
            .SelectMany(p => new[] { $"model.layers.0.{p}", $"model.layers.1.{p}" }).ToDictionary(m => m, _ => 4);
        adapters = WriteAdapter(Config(("target_modules", "all-linear")), all, seed: 3);
        AssertMerged(adapters, all.ToDictionary(p => p.Key, _ => 2.0));
    }

    [TestCase("use_dora", "DoRA")]
    [TestCase("modules_to_save", "modules_to_save")]
    [TestCase("bias", "bias = 'all'")]
    [TestCase("r", "r = 0 must be a positive rank")]
    [TestCase("target null", "target_modules[0] is null")]
    [TestCase("rank pattern", "rank_pattern gives")]
    [TestCase("fan_in_fan_out", "fan_in_fan_out")]
    [TestCase("nothing targeted", "targets no projection of this model")]
    [TestCase("other type", "PEFT PREFIX_TUNING adapter")]
    public void What_the_backend_does_not_implement_is_refused_naming_the_file_and_the_key(string what, string message)
    {
        var config = what switch
        {
            "use_dora" => Config(("use_dora", true)),
            "modules_to_save" => Config(("modules_to_save", new JsonArray("lm_head"))),
            "bias" => Config(("bias", "all")),
            "r" => Config(("r", 0)),
            "target null" => Config(("target_modules", new JsonArray((JsonNode?)null))),
            "rank pattern" => Config(("rank_pattern", new JsonObject { ["q_proj"] = 0 })),
            "fan_in_fan_out" => Config(("fan_in_fan_out", true)),
            "nothing targeted" => Config(("target_modules", new JsonArray("c_attn"))),
            _ => Config(("peft_type", "PREFIX_TUNING")),
        };
        WriteAdapter(config, new Dictionary<string, int> { ["model.layers.0.self_attn.q_proj"] = 4 }, seed: 4);
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => PolicyCheckpoints.Load(_folder, new BackendOptions { Device = "cpu" }).Model.Dispose())!;
        Assert.That(e.Message, Does.Contain(message).And.Contain("adapter_config.json"));
    }
}
