using System.Diagnostics;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- backend-train</c> and <c>-- backend-generate</c> (run them as separate
/// processes so each reports its own peak memory): the TorchSharp backend on the shapes, 4 layers, d = 256, 4 heads,
/// vocabulary 4096, on all cores.
/// </summary>
public static class BackendFigures
{
    private static Qwen2Config Config() => new()
    {
        VocabSize = 4096, HiddenSize = 256, IntermediateSize = 704, NumHiddenLayers = 4, NumAttentionHeads = 4, NumKeyValueHeads = 4,
        AttentionBias = false, MaxPositionEmbeddings = 1024,
    };

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Peak() => $"{Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB";

    /// <summary>Forward + backward + AdamW on 8 × 256 tokens (next-token cross-entropy).</summary>
    public static void Train(TextWriter output)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        manual_seed(1);
        using var model = new Qwen2ForCausalLM(Config());
        using var optimizer = new AdamWOptimizer(model.parameters(), weightDecay: 0.01); // TorchSharp's AdamW defaults, its scalars held
        var data = randint(0, 4096, [8, 257]);
        var mask = ones(8, 256, ScalarType.Int64);
        var times = new List<double>();
        for (var step = 0; step < 12; step++)
        {
            var clock = Stopwatch.StartNew();
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var logits = model.Forward(data[.., ..256], mask);
                var loss = F.cross_entropy(logits.reshape(-1, 4096), data[.., 1..].reshape(-1));
                loss.backward();
                optimizer.Step(3e-4);
                _ = loss.item<float>();
            }
            if (step >= 2) times.Add(clock.Elapsed.TotalSeconds);
        }
        var median = Median(times);
        output.WriteLine($"train step (8 x 256 tokens, fwd+bwd+AdamW): median {median * 1000:N0} ms over {times.Count} steps = {2048 / median:N0} tokens/s; peak RSS {Peak()}; " +
            $"threads {torch.get_num_threads()}");
    }

    /// <summary>Greedy generation of 128 tokens for 8 prompts of 16 tokens, with and without the KV cache.</summary>
    public static void Generate(TextWriter output)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        manual_seed(1);
        using var model = new Qwen2ForCausalLM(Config());
        var tokenizer = new NoStopTokenizer(4096);
        var generator = new TextGenerator(model, tokenizer);
        var random = new Random(1);
        var prompts = Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 16).Select(_ => random.Next(10, 4096)).ToArray()).ToList();
        var options = new SamplingOptions(Temperature: 0, MaxNewTokens: 128);
        generator.Generate(prompts, options with { MaxNewTokens = 8 });
        double Time(bool cache)
        {
            var clock = Stopwatch.StartNew();
            var result = generator.Generate(prompts, options, useCache: cache);
            if (result.Any(r => r.TokenIds.Length != 128)) throw new InvalidOperationException("expected 128 tokens per prompt");
            return clock.Elapsed.TotalSeconds;
        }
        var cached = Median([Time(true), Time(true), Time(true)]);
        var peakCached = Peak();
        var recomputed = Median([Time(false), Time(false)]);
        output.WriteLine($"generate 128 tokens x 8 prompts: KV cache {cached:N2} s ({8 * 128 / cached:N0} tokens/s, peak RSS {peakCached}); " +
                         $"recomputing {recomputed:N2} s; speed-up {recomputed / cached:N1}x; peak RSS {Peak()}");
    }
}
