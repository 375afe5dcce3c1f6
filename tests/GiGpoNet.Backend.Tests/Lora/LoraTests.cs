using System.Text.Json;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tests.HuggingFace;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests.Lora;

/// <summary>LoRA adapters: outputs unchanged at start, only adapters trained, merge equal to base + adapter, PEFT's names and shapes.</summary>
public sealed class LoraTests
{
    private static readonly LoraOptions Rank4 = new() { Rank = 4, Alpha = 8 };
    private static readonly int[] Tokens = [3, 17, 5, 40, 9, 2];

    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Path.Combine(Path.GetTempPath(), "gigpo-lora-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
    }

    private static float[] Logits(Qwen2ForCausalLM model)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(Tokens.Select(t => (long)t).ToArray()).unsqueeze(0);
        return model.Forward(ids, ones_like(ids)).data<float>().ToArray();
    }

    /// <summary>Gives every adapter's B random values, as training would, so that the adapters change the outputs.</summary>
    internal static void Perturb(LoraAdapters adapters, int seed)
    {
        manual_seed(seed);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var scale = 0.1.ToScalar();
        foreach (var b in adapters.Parameters().Where((_, i) => i % 2 == 1)) b.copy_(randn_like(b).mul(scale));
    }

    [Test]
    public void A_fresh_adapter_leaves_the_outputs_unchanged_and_freezes_the_base()
    {
        using var model = TinyModels.Create(seed: 31);
        var before = Logits(model);
        using var adapters = LoraAdapters.Attach(model, Rank4);
        Assert.That(Logits(model), Is.EqualTo(before));
        Assert.That(model.parameters().All(p => !p.requires_grad), Is.True, "base weights are frozen");
        Assert.That(adapters.Parameters().All(p => p.requires_grad), Is.True);
        Assert.That(adapters.Names, Has.Count.EqualTo(2 * 7), "two layers, seven projections each");
    }

    [Test]
    public void Merged_weights_give_the_logits_of_base_plus_adapter()
    {
        using var model = TinyModels.Create(seed: 32);
        var baseLogits = Logits(model);
        var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 4, Alpha = 16, TargetModules = ["q_proj", "v_proj", "down_proj"] });
        Perturb(adapters, seed: 5);
        var adapted = Logits(model);
        Assert.That(adapted.Zip(baseLogits).Max(p => Math.Abs(p.First - p.Second)), Is.GreaterThan(1e-3), "the adapters change the outputs");
        adapters.Merge(model);
        var merged = Logits(model);
        Assert.That(merged.Zip(adapted).Max(p => Math.Abs(p.First - p.Second)), Is.LessThan(1e-5));
        Assert.That(model.parameters().All(p => p.requires_grad), Is.True, "merging unfreezes the base");
    }

    [Test]
    public void The_adapter_is_saved_with_pefts_names_shapes_and_config_and_loads_back()
    {
        using var model = TinyModels.Create(seed: 33);
        using var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "k_proj", "up_proj"] });
        Perturb(adapters, seed: 6);
        var adapted = Logits(model);
        adapters.Save(_folder, baseModel: "Qwen/Qwen2.5-0.5B-Instruct");

        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(_folder, "adapter_config.json"))).RootElement;
        Assert.That(config.GetProperty("peft_type").GetString(), Is.EqualTo("LORA"));
        Assert.That(config.GetProperty("task_type").GetString(), Is.EqualTo("CAUSAL_LM"));
        Assert.That(config.GetProperty("r").GetInt32(), Is.EqualTo(4));
        Assert.That(config.GetProperty("lora_alpha").GetDouble(), Is.EqualTo(8));
        Assert.That(config.GetProperty("bias").GetString(), Is.EqualTo("none"));
        Assert.That(config.GetProperty("base_model_name_or_path").GetString(), Is.EqualTo("Qwen/Qwen2.5-0.5B-Instruct"));
        Assert.That(config.GetProperty("target_modules").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "q_proj", "k_proj", "up_proj" }));

        // The names and shapes PEFT's get_peft_model_state_dict writes: the adapter name removed, A [r, in], B [out, r].
        var file = Path.Combine(_folder, "adapter_model.safetensors");
        var names = ForeignCheckpoint.HeaderNames(file);
        Assert.That(names, Has.Count.EqualTo(2 * 3 * 2));
        Assert.That(names, Does.Contain("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight")
            .And.Contain("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight").And.Contain("base_model.model.model.layers.1.mlp.up_proj.lora_A.weight"));
        using (var scope = NewDisposeScope())
        {
            var tensors = SafeTensors.Load(file);
            var config2 = TinyModels.Config();
            Assert.That(tensors["base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight"].shape, Is.EqualTo(new long[] { 4, config2.HiddenSize }));
            Assert.That(tensors["base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight"].shape,
                Is.EqualTo(new long[] { config2.NumKeyValueHeads * config2.HeadDim, 4 }));
            Assert.That(tensors["base_model.model.model.layers.0.mlp.up_proj.lora_B.weight"].shape, Is.EqualTo(new long[] { config2.IntermediateSize, 4 }));
        }

        using var fresh = TinyModels.Create(seed: 33);
        using var loaded = LoraAdapters.Load(fresh, _folder);
        Assert.That(Logits(fresh), Is.EqualTo(adapted));
    }

    [Test]
    public void An_update_changes_only_the_adapters_and_the_optimizer_holds_only_their_state()
    {
        using var model = TinyModels.Create(seed: 34);
        var baseWeights = Snapshot(model.parameters());
        using var adapters = LoraAdapters.Attach(model, Rank4);
        var adapterWeights = Snapshot(adapters.Parameters());
        using var updater = new PolicyUpdater(model, new UpdateOptions { LearningRate = 1e-2, MiniBatchSize = 8, MicroBatchSize = 4, UseKlLoss = false },
            paddingId: 0, trainable: adapters.Parameters());
        var rows = Enumerable.Range(0, 8).Select(i => (Prompt: new[] { 3, 10 + i }, Response: new[] { 20 + i, 4 })).ToList();
        var old = updater.LogProbs(rows);
        var metrics = updater.Update([.. rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [i % 2 == 0 ? 1f : -1f, 0.5f]))]);
        Assert.That(metrics.OptimizerSteps, Is.EqualTo(1));

        Assert.That(Snapshot(model.parameters()), Is.EqualTo(baseWeights), "the frozen base is untouched");
        Assert.That(Snapshot(adapters.Parameters()), Is.Not.EqualTo(adapterWeights), "the adapters moved");
        Directory.CreateDirectory(_folder);
        updater.SaveState(_folder);
        using var scope = NewDisposeScope();
        var state = Directory.GetFiles(_folder, "*.safetensors").SelectMany(SafeTensors.Names).ToList();
        Assert.That(state.Count(n => n.Contains("exp_avg", StringComparison.Ordinal) && !n.Contains("exp_avg_sq", StringComparison.Ordinal)),
            Is.EqualTo(adapters.Parameters().Count), "one first moment per adapter matrix, none for the base");
    }

    [Test]
    public void A_policy_checkpoint_with_an_adapter_loads_merged_and_a_mismatched_adapter_is_refused()
    {
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go north", "go south"], 0);
        using var model = TinyModels.Create(seed: 35, vocabulary: tokenizer.VocabularySize);
        using var adapters = LoraAdapters.Attach(model, Rank4);
        Perturb(adapters, seed: 7);
        var adapted = Logits(model);
        PolicyCheckpoints.Save(model, tokenizer, _folder, adapters);
        Assert.That(File.Exists(Path.Combine(_folder, PolicyCheckpoints.AdapterFolder, "adapter_config.json")), Is.True);

        var (loaded, _) = PolicyCheckpoints.Load(_folder, new BackendOptions { Device = "cpu" });
        using (loaded) Assert.That(Logits(loaded).Zip(adapted).Max(p => Math.Abs(p.First - p.Second)), Is.LessThan(1e-5));

        var config = Path.Combine(_folder, PolicyCheckpoints.AdapterFolder, "adapter_config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"r\": 4", "\"r\": 8", StringComparison.Ordinal));
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => PolicyCheckpoints.Load(_folder, new BackendOptions { Device = "cpu" }));
        Assert.That(e!.Message, Does.Contain("has shape [4, 32]").And.Contain("needs [8, 32]"));
    }

    [Test]
    public void Merge_writes_a_plain_hugging_face_folder_with_the_adapted_logits_and_overwrites_nothing()
    {
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go north", "go south"], 0);
        using var model = TinyModels.Create(seed: 36, vocabulary: tokenizer.VocabularySize);
        using var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 2, Alpha = 4, TargetModules = ["o_proj", "gate_proj"] });
        Perturb(adapters, seed: 8);
        var adapted = Logits(model);
        PolicyCheckpoints.Save(model, tokenizer, _folder, adapters);
        var merged = _folder + "-merged";
        try
        {
            Assert.That(PolicyCheckpoints.Merge(_folder, merged, new BackendOptions { Device = "cpu" }), Is.EqualTo(4));
            Assert.That(Directory.Exists(Path.Combine(merged, PolicyCheckpoints.AdapterFolder)), Is.False);
            Assert.That(File.Exists(Path.Combine(merged, PolicyCheckpoints.VocabularyFile)), Is.True);
            Assert.That(ForeignCheckpoint.HeaderNames(Path.Combine(merged, HuggingFaceCheckpoint.SingleFile)),
                Is.EquivalentTo(ForeignCheckpoint.HeaderNames(Path.Combine(_folder, HuggingFaceCheckpoint.SingleFile))));
            using var plain = HuggingFaceCheckpoint.LoadCausalLM(merged);
            Assert.That(Logits(plain).Zip(adapted).Max(p => Math.Abs(p.First - p.Second)), Is.LessThan(1e-5));

            var e = Assert.Throws<GiGpoNetConfigurationException>(() => PolicyCheckpoints.Merge(_folder, merged, new BackendOptions { Device = "cpu" }));
            Assert.That(e!.Message, Does.Contain("holds files already"));
        }
        finally
        {
            if (Directory.Exists(merged)) Directory.Delete(merged, true);
        }
    }

    [TestCase(-1, null, "Policy:Lora:Rank = -1")]
    [TestCase(4, "qkv", "'qkv', which is not a projection")]
    public void Bad_options_are_named(int rank, string? target, string expected)
    {
        var options = new LoraOptions { Rank = rank, TargetModules = target is null ? null : [target] };
        Assert.That(options.Validate(), Has.Some.Contains(expected));
    }

    private static List<float[]> Snapshot(IEnumerable<TorchSharp.Modules.Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        return [.. parameters.Select(p => p.detach().clone().data<float>().ToArray())];
    }
}
