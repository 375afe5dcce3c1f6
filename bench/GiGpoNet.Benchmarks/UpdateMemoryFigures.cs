using System.Diagnostics;
using System.Globalization;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- update-memory</c>: one PPO update (the learner's PolicyUpdater) of a
/// Qwen2.5-0.5B-shaped policy with random weights on 4 × 512 tokens (384 prompt + 128 response each), with the KL loss to a frozen
/// reference as the runs have it (full fine-tuning: a copy of the policy; LoRA: the policy's own base, adapters bypassed), for full
/// fine-tuning and LoRA (rank 16 on all seven projections), each with and without gradient checkpointing and response-only logits.
/// Every configuration runs in its own process, so that its peak resident memory is its own; then the table of what fits a 24, 80
/// and 141 GB GPU is computed from the measured figures.
/// </summary>
public static class UpdateMemoryFigures
{
    private const int Rows = 4, PromptTokens = 384, ResponseTokens = 128, LoraRank = 16;

    private static readonly (string Name, Qwen2Config Config)[] Shapes =
        [("Qwen2.5-0.5B", QwenShapes.Qwen25_05B), ("Qwen2.5-1.5B", QwenShapes.Qwen25_15B), ("Qwen2.5-7B", QwenShapes.Qwen25_7B)];

    private sealed record Measurement(bool Lora, bool Checkpointing, bool ResponseOnly, double PeakGb, double BaselineGb, double Seconds);

    public static void Run(TextWriter output, string[] args)
    {
        if (args is ["one", var trained, var recompute, var scored])
        {
            One(output, trained == "lora", recompute == "on", scored == "on");
            return;
        }
        var measurements = new List<Measurement>();
        output.WriteLine($"One update of a Qwen2.5-0.5B-shaped policy (random weights, fp32, AdamW, KL to a frozen reference) on {Rows} x " +
                         $"{PromptTokens + ResponseTokens} tokens, {Environment.ProcessorCount} cores; each row its own process:");
        output.WriteLine();
        output.WriteLine("| trained | gradient checkpointing | response-only logits | peak memory | after loading | update time |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var lora in new[] { false, true })
        foreach (var (checkpointing, responseOnly) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            var m = Child(lora, checkpointing, responseOnly);
            measurements.Add(m);
            output.WriteLine($"| {(lora ? $"LoRA r={LoraRank}" : "all weights")} | {(checkpointing ? "on" : "off")} | {(responseOnly ? "on" : "off")} | " +
                             $"{m.PeakGb:F2} GB | {m.BaselineGb:F2} GB | {m.Seconds:F0} s |");
        }
        var worst = measurements.Single(m => !m.Lora && !m.Checkpointing && !m.ResponseOnly);
        var best = measurements.Single(m => m.Lora && m.Checkpointing && m.ResponseOnly);
        output.WriteLine();
        output.WriteLine($"LoRA + checkpointing + response-only logits: {worst.PeakGb / best.PeakGb:F1}x less peak memory than full fine-tuning without them.");
        output.WriteLine();
        Fits(output, measurements);
    }

    /// <summary>
    /// What fits, computed: peak = runtime + state (bytes per parameter: fp32 weight 4, a full fine-tuning's reference copy 4 more, +
    /// gradient 4 and AdamW 8 where trained) + activations. The activations of the 0.5B measurement (peak − after-loading − gradients
    /// and optimizer state) are scaled by layers × (hidden + intermediate) for the other shapes; a bf16 copy would halve the weights.
    /// </summary>
    private static void Fits(TextWriter output, List<Measurement> measurements)
    {
        var reference = Shapes[0].Config;
        output.WriteLine("Estimated peak for the same update (4 x 512 tokens, fp32 weights and AdamW), from the 0.5B measurements: state by " +
                         "parameter count, activations scaled by layers x (hidden + intermediate):");
        output.WriteLine();
        output.WriteLine("| model | parameters | setting | estimated peak | 24 GB | 80 GB | 141 GB |");
        output.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, config) in Shapes)
        {
            var parameters = QwenShapes.Parameters(config);
            foreach (var m in measurements.Where(m => !m.Checkpointing && !m.ResponseOnly || m.Checkpointing && m.ResponseOnly))
            {
                var trainedReference = m.Lora ? AdapterParameters(reference) : QwenShapes.Parameters(reference);
                var activations = Math.Max(0, m.PeakGb - m.BaselineGb - trainedReference * 12 / 1e9);
                var scale = (double)config.NumHiddenLayers * (config.HiddenSize + config.IntermediateSize) /
                            (reference.NumHiddenLayers * (reference.HiddenSize + reference.IntermediateSize));
                var copies = m.Lora ? 1 : 2; // the policy, and full fine-tuning's reference
                var runtime = m.BaselineGb - QwenShapes.Parameters(reference) * 4 * copies / 1e9;
                var trained = m.Lora ? AdapterParameters(config) : parameters;
                var peak = runtime + parameters * 4 * copies / 1e9 + trained * 12 / 1e9 + activations * scale;
                string Fit(double gb) => peak <= gb ? "fits" : "no";
                output.WriteLine($"| {name} | {parameters / 1e9:F2} B | {(m.Lora ? "LoRA" : "full")}, {(m.Checkpointing ? "both savings" : "no savings")} | " +
                                 $"{peak:F1} GB | {Fit(24)} | {Fit(80)} | {Fit(141)} |");
            }
        }
    }

    private static long AdapterParameters(Qwen2Config c)
    {
        long h = c.HiddenSize, kv = (long)c.NumKeyValueHeads * c.HeadDim, q = (long)c.NumAttentionHeads * c.HeadDim, i = c.IntermediateSize;
        long PerProjection(long inFeatures, long outFeatures) => LoraRank * (inFeatures + outFeatures);
        return c.NumHiddenLayers * (PerProjection(h, q) + 2 * PerProjection(h, kv) + PerProjection(q, h) + 2 * PerProjection(h, i) + PerProjection(i, h));
    }

    private static Measurement Child(bool lora, bool checkpointing, bool responseOnly)
    {
        var figures = ChildMeasurement.Run(["update-memory", "one", lora ? "lora" : "full", checkpointing ? "on" : "off", responseOnly ? "on" : "off"],
            $"update-memory ({(lora ? "LoRA" : "full")}, checkpointing {checkpointing}, response-only {responseOnly})");
        var v = figures.Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        return new Measurement(lora, checkpointing, responseOnly, v[0], v[1], v[2]);
    }

    private static void One(TextWriter output, bool lora, bool checkpointing, bool responseOnly)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        manual_seed(1);
        using var model = new Qwen2ForCausalLM(Shapes[0].Config);
        // The KL reference as TorchLearner holds it: a frozen copy for full fine-tuning, the policy's own base for LoRA.
        using var copy = lora ? null : new Qwen2ForCausalLM(Shapes[0].Config);
        copy?.load_state_dict(model.state_dict());
        using var adapters = lora ? LoraAdapters.Attach(model, new LoraOptions { Rank = LoraRank, Alpha = 2 * LoraRank }) : null;
        GC.Collect();
        var baseline = ProcessMemory.CurrentGb(); // the runtime, libtorch and the weights (with the reference)
        var options = new UpdateOptions
        {
            LearningRate = 1e-5, MiniBatchSize = Rows, MicroBatchSize = Rows, UseKlLoss = true, EntropyCoeff = 0, GradientCheckpointing = checkpointing,
        };
        using var updater = new PolicyUpdater(model, options, paddingId: 0, copy ?? model, trainable: adapters?.Parameters(), adapters: adapters)
        {
            FullSequenceLogits = !responseOnly,
        };
        var random = new Random(1);
        var rows = Enumerable.Range(0, Rows).Select(_ => (Prompt: Tokens(random, PromptTokens), Response: Tokens(random, ResponseTokens))).ToList();
        var old = updater.LogProbs(rows);
        var training = rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [.. Enumerable.Repeat(i % 2 == 0 ? 1f : -1f, ResponseTokens)])).ToList();
        var clock = Stopwatch.StartNew();
        var metrics = updater.Update(training);
        var seconds = clock.Elapsed.TotalSeconds;
        if (metrics.OptimizerSteps != 1) throw new InvalidOperationException($"expected one optimizer step, got {metrics.OptimizerSteps}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ChildMeasurement.Prefix}{ProcessMemory.PeakGb():F3} {baseline:F3} {seconds:F1}"));
    }

    private static int[] Tokens(Random random, int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(10, 151_000))];
}
