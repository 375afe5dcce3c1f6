using System.Globalization;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Learning;
using TorchSharp;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- checkpoint-cost</c>: what a Qwen2.5-0.5B-shaped policy (random
/// weights, fp32) costs the run folder and the memory once its reinforcement stage has begun, as the learner holds and saves it (KL to
/// a frozen reference on): full fine-tuning and LoRA (rank 16, all seven projections), each in its own process. Reports the resident
/// memory after the stage begins, the run's frozen base (written once), one training checkpoint and the final policy folder.
/// </summary>
public static class CheckpointCostFigures
{
    public static void Run(TextWriter output, string[] args)
    {
        if (args is ["one", var trained])
        {
            One(output, trained == "lora");
            return;
        }
        output.WriteLine("Qwen2.5-0.5B-shaped policy (random weights, fp32), the reinforcement stage begun with the KL reference; each row its own process:");
        output.WriteLine();
        output.WriteLine("| trained | resident memory | checkpoints/base (once) | one checkpoint | final policy |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var lora in new[] { false, true })
        {
            var v = ChildMeasurement.Run(["checkpoint-cost", "one", lora ? "lora" : "full"], $"checkpoint-cost ({(lora ? "LoRA" : "full")})")
                .Split(' ').Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            output.WriteLine($"| {(lora ? "LoRA r=16" : "all weights")} | {v[0]:F2} GB | {v[1]:F3} GB | {v[2]:F3} GB | {v[3]:F3} GB |");
        }
    }

    private static void One(TextWriter output, bool lora)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        torch.manual_seed(1);
        var model = new Qwen2ForCausalLM(QwenShapes.Qwen25_05B);
        var tokenizer = WordLevelTokenizer.Build(["go to the kitchen"], 10);
        var update = new UpdateOptions { UseKlLoss = true, LearningRate = 1e-5 };
        using var learner = new TorchLearner(model, tokenizer, 1024, update, new LoraOptions { Rank = lora ? 16 : 0, Alpha = 32 });
        learner.BeginReinforcement(new ReinforcementStart(Critic: false, ResumeFrom: null, Seed: 1));
        GC.Collect();
        var resident = ProcessMemory.CurrentGb();
        var run = Path.Combine(Path.GetTempPath(), "gigpo-checkpoint-cost-" + Guid.NewGuid().ToString("N"));
        try
        {
            var iteration = Path.Combine(run, "checkpoints", "iter-000001");
            learner.SaveState(iteration);
            learner.SavePolicy(Path.Combine(run, "final"));
            double Gb(string folder) => Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1e9 : 0;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ChildMeasurement.Prefix}{resident:F3} {Gb(Path.Combine(run, "checkpoints", "base")):F4} {Gb(iteration):F4} {Gb(Path.Combine(run, "final")):F4}"));
        }
        finally
        {
            if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        }
    }
}
