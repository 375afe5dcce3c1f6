using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Devices;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests;

public sealed class ModelAndGenerationTests
{
    private static WordLevelTokenizer Tokenizer() => WordLevelTokenizer.Build(["go to the fridge and open it"], 10);

    [Test]
    public void Kv_cache_gives_the_same_logits_as_recomputing_the_whole_sequence()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        model.eval();
        using var noGrad = no_grad();
        var ids = tensor(new long[] { 0, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14 }, [2, 6]);
        var mask = tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 6]);
        var full = model.Forward(ids, mask);
        using var cache = new KvCache(model.Config, 2, 6, ScalarType.Float32, CPU);
        var prefix = model.Forward(ids[.., ..4], mask[.., ..4], cache);
        var rest = new List<Tensor> { prefix };
        for (var t = 4; t < 6; t++) rest.Add(model.Forward(ids[.., t..(t + 1)], mask[.., ..(t + 1)], cache));
        var incremental = cat(rest, 1);
        // Padding positions attend to nothing real; compare the real ones.
        Assert.That(full[1].allclose(incremental[1], rtol: 1e-4, atol: 1e-5), Is.True);
        Assert.That(full[0, 2..].allclose(incremental[0, 2..], rtol: 1e-4, atol: 1e-5), Is.True);
    }

    [Test]
    public void Left_padding_does_not_change_a_sequence_s_logits()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create();
        model.eval();
        using var noGrad = no_grad();
        var alone = model.Forward(tensor(new long[] { 5, 6, 7 }, [1, 3]), ones(1, 3, ScalarType.Int64));
        var padded = model.Forward(tensor(new long[] { 0, 0, 5, 6, 7 }, [1, 5]), tensor(new long[] { 0, 0, 1, 1, 1 }, [1, 5]));
        Assert.That(alone[0].allclose(padded[0, 2..], rtol: 1e-4, atol: 1e-5), Is.True);
    }

    [Test]
    public void Cached_and_uncached_generation_choose_the_same_tokens()
    {
        using var model = TinyModels.Create(vocabulary: 120);
        var tokenizer = Tokenizer();
        var generator = new TextGenerator(model, tokenizer);
        int[][] prompts = [[3, 20, 21, 22], [3, 23, 24, 25, 26, 27, 28]];
        var options = new SamplingOptions(Temperature: 0, MaxNewTokens: 12);
        var cached = generator.Generate(prompts, options);
        var recomputed = generator.Generate(prompts, options, useCache: false);
        for (var b = 0; b < prompts.Length; b++)
        {
            Assert.That(cached[b].TokenIds, Is.EqualTo(recomputed[b].TokenIds));
            Assert.That(cached[b].LogProbs, Is.EqualTo(recomputed[b].LogProbs).Within(1e-4));
        }
    }

    [Test]
    public void Constrained_rows_answer_only_with_an_allowed_sequence_and_unconstrained_rows_are_untouched()
    {
        using var model = TinyModels.Create(vocabulary: 120);
        var generator = new TextGenerator(model, Tokenizer());
        int[][] prompts = [[3, 20, 21], [3, 22], [3, 23, 24]];
        int[][] choices = [[40, 41, 42], [40, 43], [50]];
        var free = generator.Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 8, Seed: 5));
        for (var seed = 0; seed < 20; seed++)
        {
            var generated = generator.Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 8, Seed: seed), allowed: [choices, null, [[60, 61]]]);
            Assert.That(choices.Any(c => c.SequenceEqual(generated[0].TokenIds)), Is.True, string.Join(",", generated[0].TokenIds));
            Assert.That(generated[2].TokenIds, Is.EqualTo(new[] { 60, 61 }));
            Assert.That(generated[2].LogProbs, Is.All.EqualTo(0).Within(1e-6), "a single allowed sequence has probability 1");
            Assert.That(generated[0].Truncated, Is.False);
            if (seed == 5) Assert.That(generated[1].TokenIds, Is.EqualTo(free[1].TokenIds), "the free row samples as without constraints");
        }
        Assert.Throws<ArgumentException>(() => generator.Generate(prompts, new SamplingOptions(MaxNewTokens: 2), allowed: [choices, null, null]));
    }

    [Test]
    public void Sampling_is_reproducible_for_a_seed_and_truncation_to_one_token_is_greedy()
    {
        using var model = TinyModels.Create(vocabulary: 120);
        var generator = new TextGenerator(model, Tokenizer());
        int[][] prompts = [[3, 20, 21], [3, 22]];
        var first = generator.Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 10, Seed: 7));
        var second = generator.Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 10, Seed: 7));
        var other = generator.Generate(prompts, new SamplingOptions(Temperature: 1.0, MaxNewTokens: 10, Seed: 8));
        Assert.That(second.Select(s => s.TokenIds), Is.EqualTo(first.Select(s => s.TokenIds)));
        Assert.That(other.Select(s => s.TokenIds), Is.Not.EqualTo(first.Select(s => s.TokenIds)));
        Assert.That(first.SelectMany(s => s.LogProbs), Is.All.LessThanOrEqualTo(0));

        var greedy = generator.Generate(prompts, new SamplingOptions(Temperature: 0, MaxNewTokens: 10));
        var topK = generator.Generate(prompts, new SamplingOptions(Temperature: 0.7, TopK: 1, MaxNewTokens: 10, Seed: 3));
        var topP = generator.Generate(prompts, new SamplingOptions(Temperature: 0.7, TopP: 1e-6, MaxNewTokens: 10, Seed: 3));
        Assert.That(topK.Select(s => s.TokenIds), Is.EqualTo(greedy.Select(s => s.TokenIds)));
        Assert.That(topP.Select(s => s.TokenIds), Is.EqualTo(greedy.Select(s => s.TokenIds)));
        Assert.That(topK.SelectMany(s => s.LogProbs), Is.All.EqualTo(0).Within(1e-6), "one candidate left: probability 1");
    }

    [Test]
    public void Generation_stops_at_a_stop_string_or_an_end_of_turn_token_and_reports_truncation()
    {
        using var model = TinyModels.Create(vocabulary: 120);
        var tokenizer = Tokenizer();
        var generator = new TextGenerator(model, tokenizer);
        var free = generator.Generate([[3, 20]], new SamplingOptions(Temperature: 1.0, MaxNewTokens: 30, Seed: 1))[0];
        Assert.That(free.TokenIds, Is.Not.Empty);
        var firstText = tokenizer.Decode(free.TokenIds.AsSpan(0, 1));
        var stopped = generator.Generate([[3, 20]], new SamplingOptions(Temperature: 1.0, MaxNewTokens: 30, StopStrings: [firstText], Seed: 1))[0];
        Assert.That(stopped.TokenIds, Is.EqualTo(free.TokenIds.Take(1)));
        Assert.That(stopped.Truncated, Is.False);
        var capped = generator.Generate([[3, 20]], new SamplingOptions(Temperature: 0, MaxNewTokens: 3))[0];
        Assert.That(capped.TokenIds.Length <= 3 && (capped.Truncated || tokenizer.EndOfTurnIds.Contains(capped.TokenIds[^1])), Is.True);
    }

    [Test]
    public void Safetensors_round_trip_with_hugging_face_names_single_and_sharded()
    {
        using var model = TinyModels.Create(seed: 3);
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-ckpt-" + Guid.NewGuid().ToString("N"));
        try
        {
            HuggingFaceCheckpoint.Save(model, folder);
            var names = SafeTensors.Names(Path.Combine(folder, "model.safetensors"));
            Assert.That(names, Does.Contain("model.embed_tokens.weight").And.Contain("model.layers.1.self_attn.q_proj.bias")
                .And.Contain("model.layers.0.mlp.gate_proj.weight").And.Contain("model.norm.weight").And.Contain("lm_head.weight"));
            using var loaded = HuggingFaceCheckpoint.LoadCausalLM(folder);
            Assert.That(loaded.Config, Is.EqualTo(model.Config));
            AssertSameWeights(model, loaded);

            var sharded = folder + "-sharded";
            HuggingFaceCheckpoint.Save(model, sharded, maxShardBytes: 20_000);
            Assert.That(Directory.GetFiles(sharded, "model-*-of-*.safetensors").Length, Is.GreaterThan(2));
            Assert.That(File.Exists(Path.Combine(sharded, HuggingFaceCheckpoint.IndexFile)), Is.True);
            using var fromShards = HuggingFaceCheckpoint.LoadCausalLM(sharded);
            AssertSameWeights(model, fromShards);
            Directory.Delete(sharded, true);
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [Test]
    public void Bf16_checkpoints_load_and_tied_embeddings_are_saved_once()
    {
        using var scope = NewDisposeScope();
        using var model = TinyModels.Create(seed: 4, tied: true);
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-bf16-" + Guid.NewGuid().ToString("N"));
        try
        {
            HuggingFaceCheckpoint.Save(model, folder, ScalarType.BFloat16);
            Assert.That(SafeTensors.Names(Path.Combine(folder, "model.safetensors")), Does.Not.Contain("lm_head.weight"));
            Assert.That(File.ReadAllText(Path.Combine(folder, "config.json")), Does.Contain("\"torch_dtype\": \"bfloat16\""));
            using var loaded = HuggingFaceCheckpoint.LoadCausalLM(folder);
            foreach (var (name, expected) in model.state_dict())
                Assert.That(loaded.state_dict()[name].allclose(expected, rtol: 1e-2, atol: 1e-2), Is.True, name);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Test]
    public void A_checkpoint_that_does_not_match_the_config_is_refused_clearly()
    {
        using var model = TinyModels.Create(seed: 5);
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-bad-" + Guid.NewGuid().ToString("N"));
        try
        {
            HuggingFaceCheckpoint.Save(model, folder);
            var config = File.ReadAllText(Path.Combine(folder, "config.json")).Replace("\"intermediate_size\": 64", "\"intermediate_size\": 48");
            File.WriteAllText(Path.Combine(folder, "config.json"), config);
            var e = Assert.Throws<InvalidDataException>(() => HuggingFaceCheckpoint.LoadCausalLM(folder));
            Assert.That(e!.Message, Does.Contain("gate_proj.weight").And.Contain("does not match config.json"));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Test]
    public void Devices_parse_and_cuda_without_a_gpu_says_how_to_get_the_cuda_build()
    {
        Assert.That(TorchDevices.Parse("cpu").type, Is.EqualTo(DeviceType.CPU));
        Assert.That(TorchDevices.Parse("auto").type, Is.EqualTo(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU));
        Assert.Throws<GiGpoNetConfigurationException>(() => TorchDevices.Parse("tpu"));
        if (!cuda.is_available())
        {
            var e = Assert.Throws<GiGpoNetConfigurationException>(() => TorchDevices.Parse("cuda:0"));
            Assert.That(e!.Message, Does.Contain("-p:TorchBackend=cuda"));
        }
    }

    private static void AssertSameWeights(nn.Module expected, nn.Module actual)
    {
        using var scope = NewDisposeScope();
        var actualState = actual.state_dict();
        foreach (var (name, tensor) in expected.state_dict())
            Assert.That(actualState[name].equal(tensor).all().item<bool>(), Is.True, name);
    }
}

public sealed class TorchPolicyTests
{
    [Test]
    public async Task The_policy_applies_the_chat_template_and_returns_ids_and_log_probs_for_training()
    {
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go to fridge 1"], 20);
        using var model = TinyModels.Create(vocabulary: tokenizer.VocabularySize);
        var policy = new Policies.TorchPolicy(model, tokenizer);
        var settings = new GiGpoNet.Policies.GenerationSettings(1.0, 1.0, -1, 6, ["</action>"], Seed: 3);
        var result = await policy.GenerateAsync([new("go to fridge 1"), new("look")], settings);
        Assert.That(result, Has.Count.EqualTo(2));
        Assert.That(tokenizer.Decode(result[0].PromptTokenIds), Is.EqualTo("<|im_start|>user\ngo to fridge 1<|im_end|>\n<|im_start|>assistant\n"));
        Assert.That(result[1].ResponseTokenIds.Length, Is.EqualTo(result[1].LogProbs.Length));
        Assert.That(result[1].Text, Is.EqualTo(tokenizer.Decode(result[1].ResponseTokenIds)));
        var again = await policy.GenerateAsync([new("go to fridge 1"), new("look")], settings);
        Assert.That(again.Select(g => g.ResponseTokenIds), Is.EqualTo(result.Select(g => g.ResponseTokenIds)), "same seed, same tokens");
    }

    [Test]
    public void Backend_options_parse_dtypes_and_refuse_unknown_ones()
    {
        Assert.That(new Devices.ModelDtypeConverter().TryParse("bf16", out var bf16) && bf16 == Devices.ModelDtype.Bfloat16, Is.True);
        Assert.That(new BackendOptions { Dtype = bf16 }.ResolveDtype(), Is.EqualTo(TorchSharp.torch.ScalarType.BFloat16));
        Assert.That(new Devices.ModelDtypeConverter().TryParse("int4", out _), Is.False);
        var e = Assert.Throws<GiGpoNetConfigurationException>(() => new BackendOptions { Dtype = (Devices.ModelDtype)7 }.ResolveDtype());
        Assert.That(e!.Message, Does.Contain("float32, bfloat16, float16"));
    }
}

public sealed class CheckpointLifecycleTests
{
    [Test]
    public void A_training_checkpoint_folder_loads_the_policy_it_holds()
    {
        using var scope = NewDisposeScope();
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go to fridge 1 open take"], 30);
        var checkpoint = Path.Combine(Path.GetTempPath(), "gigpo-iter-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var original = TinyModels.Create(seed: 22, vocabulary: tokenizer.VocabularySize))
                Checkpoints.PolicyCheckpoints.Save(original, tokenizer, Path.Combine(checkpoint, "policy"));
            var backend = new BackendOptions { Device = "cpu" };
            var (direct, directTokenizer) = Checkpoints.PolicyCheckpoints.Load(Path.Combine(checkpoint, "policy"), backend);
            var (viaCheckpoint, checkpointTokenizer) = Checkpoints.PolicyCheckpoints.Load(checkpoint, backend);
            using (direct)
            using (viaCheckpoint)
            {
                Assert.That(checkpointTokenizer.Encode("go to fridge 1"), Is.EqualTo(directTokenizer.Encode("go to fridge 1")));
                foreach (var (name, tensor) in direct.state_dict())
                    Assert.That(viaCheckpoint.state_dict()[name].equal(tensor).all().item<bool>(), Is.True, name);
            }
        }
        finally
        {
            Directory.Delete(checkpoint, true);
        }
    }

    [Test]
    public void A_hugging_face_checkpoint_loads_generates_trains_and_saves_back()
    {
        using var scope = NewDisposeScope();
        var tokenizer = Tokenization.WordLevelTokenizer.Build(["go to fridge 1 open take"], 30);
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-life-" + Guid.NewGuid().ToString("N"));
        try
        {
            using (var original = TinyModels.Create(seed: 21, vocabulary: tokenizer.VocabularySize)) Checkpoints.HuggingFaceCheckpoint.Save(original, folder);
            using var model = Checkpoints.HuggingFaceCheckpoint.LoadCausalLM(folder);
            var generated = new Generation.TextGenerator(model, tokenizer).Generate([tokenizer.Encode("go to")], new Generation.SamplingOptions(MaxNewTokens: 4, Seed: 1))[0];
            Assert.That(generated.TokenIds, Is.Not.Empty);

            var before = model.state_dict()["model.layers.0.mlp.up_proj.weight"].clone();
            using (var updater = new Training.PolicyUpdater(model, new Training.UpdateOptions { LearningRate = 1e-2, MiniBatchSize = 4, MicroBatchSize = 4, UseKlLoss = false },
                tokenizer.PaddingId))
            {
                var prompt = tokenizer.Encode("go to");
                var old = updater.LogProbs([(prompt, generated.TokenIds)]);
                var metrics = updater.Update([new Training.TrainingRow(prompt, generated.TokenIds, old[0], [.. generated.TokenIds.Select(_ => 1f)])]);
                Assert.That(metrics.OptimizerSteps, Is.EqualTo(1));
            }
            Assert.That(model.state_dict()["model.layers.0.mlp.up_proj.weight"].equal(before).all().item<bool>(), Is.False, "training changed the weights");

            var saved = folder + "-trained";
            Checkpoints.HuggingFaceCheckpoint.Save(model, saved);
            using var reloaded = Checkpoints.HuggingFaceCheckpoint.LoadCausalLM(saved);
            foreach (var (name, tensor) in model.state_dict())
                Assert.That(reloaded.state_dict()[name].equal(tensor).all().item<bool>(), Is.True, name);
            Directory.Delete(saved, true);
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
