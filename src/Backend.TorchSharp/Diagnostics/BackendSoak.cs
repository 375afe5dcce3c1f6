using System.Diagnostics;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using TorchSharp;

namespace GiGpoNet.Backend.Diagnostics;

/// <summary>What a soak did: its cycles, the generations, updates and optimizer steps in them, the forced collections, and the time.</summary>
public sealed record SoakResult(int Cycles, int Generations, int Updates, int OptimizerSteps, long Collections, TimeSpan Elapsed);

/// <summary>
/// The backend's whole native surface in a loop under <see cref="GcStress"/>: sampled generation with the KV cache (top-k, top-p,
/// constrained decoding), log-prob recomputation, the PPO update with the KL loss to a reference and AdamW, on a tiny random model.
/// Any libtorch failure surfaces as an exception; a clean run of many cycles shows the lifetime rules hold.
/// </summary>
internal static class BackendSoak
{
    /// <summary>Runs <paramref name="cycles"/> cycles (or until <paramref name="budget"/> has passed), reporting each to <paramref name="progress"/>.</summary>
    public static SoakResult Run(int cycles, TimeSpan budget, Action<int>? progress = null)
    {
        torch.manual_seed(7);
        var words = Enumerable.Range(0, 40).Select(i => $"w{i}").ToArray();
        var tokenizer = WordLevelTokenizer.Build([string.Join(' ', words)], maxWords: 64);
        var config = new Qwen2Config
        {
            VocabSize = tokenizer.VocabularySize, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4,
            NumKeyValueHeads = 2, RopeTheta = 10_000, MaxPositionEmbeddings = 256,
        };
        using var policy = new Qwen2ForCausalLM(config);
        using var reference = new Qwen2ForCausalLM(config);
        var options = new UpdateOptions { LearningRate = 1e-3, MiniBatchSize = 8, MicroBatchSize = 4, UseKlLoss = true, EntropyCoeff = 0.01 };
        using var updater = new PolicyUpdater(policy, options, tokenizer.PaddingId, reference);
        var generator = new TextGenerator(policy, tokenizer);
        var prompts = Enumerable.Range(0, 8).Select(i => tokenizer.Encode(string.Join(' ', words.Skip(i).Take(6)))).ToArray();
        var allowed = prompts.Select((_, i) => i % 2 == 0 ? null : (IReadOnlyList<int[]>)[tokenizer.Encode("w1 w2"), tokenizer.Encode("w3")]).ToArray();

        using var stress = GcStress.Start();
        var clock = Stopwatch.StartNew();
        int cycle = 0, generations = 0, updates = 0, steps = 0;
        for (; cycle < cycles && clock.Elapsed < budget; cycle++)
        {
            var sampling = new SamplingOptions(Temperature: 1.0, TopP: 0.9, TopK: 20, MaxNewTokens: 6, Seed: cycle);
            var sequences = generator.Generate(prompts, sampling, allowed: allowed);
            generations++;
            var pairs = prompts.Zip(sequences, (p, s) => (p, s.TokenIds.Length > 0 ? s.TokenIds : [tokenizer.PaddingId])).ToList();
            var old = updater.LogProbs(pairs);
            var rows = pairs.Select((pair, i) => new TrainingRow(pair.p, pair.Item2, old[i],
                [.. Enumerable.Repeat(i % 3 - 1f, pair.Item2.Length)])).ToList();
            steps += updater.Update(rows).OptimizerSteps;
            updates++;
            progress?.Invoke(cycle + 1);
        }
        return new SoakResult(cycle, generations, updates, steps, stress.Collections, clock.Elapsed);
    }
}
