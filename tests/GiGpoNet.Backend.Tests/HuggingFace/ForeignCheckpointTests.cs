using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests.HuggingFace;

/// <summary>
/// Checkpoints written by something other than this project (Hugging Face names only, tied or untied, bf16 or fp32, one file or
/// shards) load, give the logits of an independent forward pass, and save back under exactly the names they came with.
/// </summary>
public sealed class ForeignCheckpointTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => _folder = Path.Combine(Path.GetTempPath(), "gigpo-foreign-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
    }

    private static ForeignCheckpoint Checkpoint(bool tied) => new()
    {
        Vocab = 29, Hidden = 16, Intermediate = 24, Layers = 2, Heads = 4, KvHeads = 2, Tied = tied, RopeTheta = 1_000_000,
    };

    [TestCase(false, false, 1)]
    [TestCase(true, false, 1)]
    [TestCase(false, true, 1)]
    [TestCase(true, true, 3)]
    [TestCase(false, false, 4)]
    public void Loads_and_gives_the_logits_of_an_independent_forward(bool tied, bool bf16, int shards)
    {
        var checkpoint = Checkpoint(tied).Randomize(seed: 7 + shards, bf16);
        checkpoint.Write(_folder, bf16, shards);
        int[] tokens = [3, 17, 0, 28, 5, 5, 11];

        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.LoadCausalLM(_folder);
        var ids = tensor(tokens.Select(t => (long)t).ToArray(), ScalarType.Int64).unsqueeze(0);
        var logits = model.Forward(ids, ones_like(ids)).squeeze(0).data<float>().ToArray();

        var expected = ReferenceQwen2Forward.Logits(checkpoint, tokens);
        var worst = 0.0;
        for (var t = 0; t < tokens.Length; t++)
        for (var v = 0; v < checkpoint.Vocab; v++)
            worst = Math.Max(worst, Math.Abs(logits[t * checkpoint.Vocab + v] - expected[t][v]));
        Assert.That(worst, Is.LessThan(1e-4), "largest logit difference from the reference forward");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void The_state_dict_holds_exactly_the_hugging_face_names_and_save_writes_only_those(bool tied)
    {
        var checkpoint = Checkpoint(tied).Randomize(seed: 2, bf16: false);
        var expected = checkpoint.Layout().Select(l => l.Name).ToList();
        using var model = new Qwen2ForCausalLM(HuggingFaceConfig(checkpoint));

        using (NewDisposeScope())
            Assert.That(model.state_dict().Keys, Is.EquivalentTo(expected));
        HuggingFaceCheckpoint.Save(model, _folder);
        Assert.That(ForeignCheckpoint.HeaderNames(Path.Combine(_folder, HuggingFaceCheckpoint.SingleFile)), Is.EquivalentTo(expected));
    }

    [Test]
    public void Weights_saved_by_the_project_load_back_equal_and_a_foreign_file_round_trips_its_names()
    {
        var checkpoint = Checkpoint(tied: true).Randomize(seed: 5, bf16: true);
        checkpoint.Write(_folder, bf16: true, shards: 2);
        var saved = _folder + "-saved";
        try
        {
            using var scope = NewDisposeScope();
            using var model = HuggingFaceCheckpoint.LoadCausalLM(_folder);
            HuggingFaceCheckpoint.Save(model, saved, ScalarType.BFloat16);
            Assert.That(ForeignCheckpoint.HeaderNames(Path.Combine(saved, HuggingFaceCheckpoint.SingleFile)),
                Is.EquivalentTo(checkpoint.Layout().Select(l => l.Name)));
            using var again = HuggingFaceCheckpoint.LoadCausalLM(saved);
            var state = again.state_dict();
            foreach (var (name, values) in model.state_dict())
                Assert.That(state[name].equal(values).all().item<bool>(), Is.True, name);
        }
        finally
        {
            if (Directory.Exists(saved)) Directory.Delete(saved, true);
        }
    }

    [Test]
    public void A_module_moved_to_another_dtype_keeps_one_weight_per_name_and_its_norms_follow()
    {
        var checkpoint = Checkpoint(tied: false).Randomize(seed: 9, bf16: true);
        checkpoint.Write(_folder, bf16: true);
        using var scope = NewDisposeScope();
        using var model = HuggingFaceCheckpoint.LoadCausalLM(_folder, ScalarType.BFloat16);
        Assert.That(model.parameters().Select(p => p.dtype), Is.All.EqualTo(ScalarType.BFloat16));
        Assert.That(model.state_dict().Count, Is.EqualTo(checkpoint.Layout().Count()));
        var ids = tensor(new long[] { 1, 2, 3 }).unsqueeze(0);
        var logits = model.Forward(ids, ones_like(ids)).squeeze(0).data<float>().ToArray();
        var reference = ReferenceQwen2Forward.Logits(checkpoint, [1, 2, 3]);
        Assert.That(logits.Select((l, i) => Math.Abs(l - reference[i / checkpoint.Vocab][i % checkpoint.Vocab])).Max(), Is.LessThan(0.1),
            "bf16 arithmetic stays near the reference (a norm left on its old, freed weight would not)");
    }

    [Test]
    public void A_file_of_the_first_release_with_c_sharp_aliases_beside_each_name_still_loads()
    {
        var checkpoint = Checkpoint(tied: false).Randomize(seed: 4, bf16: false);
        foreach (var (name, _) in checkpoint.Layout().ToList())
            checkpoint.Weights[name.Replace("self_attn.q_proj", "_attention._q", StringComparison.Ordinal).Replace("model.layers", "model._layers", StringComparison.Ordinal)] =
                checkpoint.Weights[name];
        checkpoint.Write(_folder, bf16: false);
        using var model = HuggingFaceCheckpoint.LoadCausalLM(_folder);
        using (NewDisposeScope())
            Assert.That(model.state_dict().Count, Is.EqualTo(checkpoint.Layout().Count()));
    }

    private static Qwen2Config HuggingFaceConfig(ForeignCheckpoint c) => new()
    {
        VocabSize = c.Vocab, HiddenSize = c.Hidden, IntermediateSize = c.Intermediate, NumHiddenLayers = c.Layers, NumAttentionHeads = c.Heads,
        NumKeyValueHeads = c.KvHeads, TieWordEmbeddings = c.Tied, RopeTheta = c.RopeTheta,
    };
}
