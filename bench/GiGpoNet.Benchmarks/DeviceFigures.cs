using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- device-figures [--device cuda] [--dtype bfloat16] [--shape qwen2.5-0.5b]
/// [--json FILE]</c>: a policy of the given shape with random weights, on the given device and dtype. Four phases, each in its own process
/// so that its peak memory is its own: one PPO update (the learner's PolicyUpdater: response-only logits, AdamW with float32 master
/// weights) on <c>--rows</c> × <c>--tokens</c> tokens (the last <c>--response-tokens</c> of each scored), full fine-tuning and LoRA (rank 16 on
/// all seven projections); and KV-cache generation of <c>--new-tokens</c> for <c>--prompts</c> prompts of <c>--prompt-tokens</c>, sampled at
/// temperature 1 (as rollouts sample) and greedy. Each phase runs once untimed with the memory meter (<see cref="DeviceMemoryMeter"/>), then
/// <c>--repeats</c> timed times; the median is reported. <c>eng/gpu/pytorch_reference.py</c> measures the same phases in PyTorch and writes the
/// same JSON, and <c>eng/gpu/compare.py</c> puts the two side by side.
/// </summary>
public static class DeviceFigures
{
    private static readonly string[] Phases = ["update-full", "update-lora", "generate-sampled", "generate-greedy"];
    private const int LoraRank = 16;

    internal sealed record Settings(string Device, string Dtype, string Shape, int Rows, int Tokens, int ResponseTokens, int Prompts,
        int PromptTokens, int NewTokens, int Repeats);

    internal sealed record PhaseFigures(string Phase, long TokensPerRepeat, double[] Seconds, double MedianSeconds, double TokensPerSecond,
        double PeakMemoryGb, string MemoryMethod);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static void Run(TextWriter output, IReadOnlyList<string> args)
    {
        var (settings, jsonPath, phase) = Parse(args);
        if (phase is not null)
        {
            output.WriteLine(ChildMeasurement.Prefix + JsonSerializer.Serialize(One(phase, settings), Json).ReplaceLineEndings(" "));
            return;
        }
        var config = QwenShapes.ByName(settings.Shape);
        output.WriteLine($"device-figures: {settings.Shape} ({QwenShapes.Parameters(config):N0} parameters, random weights) " +
                         $"on {settings.Device}, " +
                         $"{settings.Dtype}; TorchSharp {TorchSharpVersion()}; each phase its own process");
        var figures = new List<PhaseFigures>();
        foreach (var p in Phases)
        {
            var f = Child(p, args);
            figures.Add(f);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {p,-17} {f.TokensPerRepeat,7:N0} tokens: median {f.MedianSeconds:F3} s of {f.Seconds.Length} = {f.TokensPerSecond,10:N0} tokens/s; " +
                $"peak memory {f.PeakMemoryGb:F2} GB"));
        }
        if (jsonPath is null) return;
        var report = new Dictionary<string, object>
        {
            ["implementation"] = $"TorchSharp {TorchSharpVersion()}",
            ["settings"] = settings,
            ["parameters"] = QwenShapes.Parameters(config),
            ["phases"] = figures.ToDictionary(f => f.Phase, f => (object)f),
        };
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(report, Json));
        output.WriteLine($"written: {jsonPath}");
    }

    private static (Settings Settings, string? Json, string? Phase) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--device"] = "cuda", ["--dtype"] = "bfloat16", ["--shape"] = "qwen2.5-0.5b", ["--rows"] = "8", ["--tokens"] = "1024",
            ["--response-tokens"] = "256", ["--prompts"] = "64", ["--prompt-tokens"] = "128", ["--new-tokens"] = "256", ["--repeats"] = "3",
        };
        string? json = null, phase = null;
        for (var i = 0; i < args.Count; i++)
        {
            if (i + 1 >= args.Count || !args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"device-figures: '{args[i]}' needs a value; the options are {string.Join(", ", values.Keys)}, --json.");
            var (key, value) = (args[i], args[++i]);
            if (key == "--json") json = Path.GetFullPath(value);
            else if (key == "--phase") phase = Phases.Contains(value) ? value : throw new ArgumentException($"--phase '{value}' is not one of {string.Join(", ", Phases)}.");
            else if (values.ContainsKey(key)) values[key] = value;
            else throw new ArgumentException($"device-figures: unknown option '{key}'; the options are {string.Join(", ", values.Keys)}, --json.");
        }
        int Positive(string key) => int.TryParse(values[key], CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"device-figures: {key} must be a whole number above 0, not '{values[key]}'.");
        var settings = new Settings(values["--device"], values["--dtype"], values["--shape"], Positive("--rows"), Positive("--tokens"),
            Positive("--response-tokens"), Positive("--prompts"), Positive("--prompt-tokens"), Positive("--new-tokens"), Positive("--repeats"));
        if (settings.ResponseTokens >= settings.Tokens) throw new ArgumentException("device-figures: --response-tokens must be below --tokens.");
        QwenShapes.ByName(settings.Shape); // a wrong name fails here, before any child starts
        return (settings, json, phase);
    }

    private static PhaseFigures One(string phase, Settings s)
    {
        var backend = new BackendOptions
        {
            Device = s.Device,
            Dtype = new GiGpoNet.Backend.Devices.ModelDtypeConverter().TryParse(s.Dtype, out var parsed) ? parsed
                : throw new ArgumentException($"'{s.Dtype}' is not one of float32, bfloat16, float16."),
        };
        backend.ApplyProcessSettings();
        var device = backend.ResolveDevice();
        var dtype = backend.ResolveDtype();
        var config = QwenShapes.ByName(s.Shape);
        using (var warmUp = ones(1, device: device)) Synchronize(device); // the CUDA context exists before the meter's baseline
        manual_seed(1);
        using var meter = new DeviceMemoryMeter(device);
        using var model = new Qwen2ForCausalLM(config);
        model.to(dtype).to(device);
        var random = new Random(1);
        int[] Tokens(int count) => [.. Enumerable.Range(0, count).Select(_ => random.Next(10, config.VocabSize - 1))];

        Func<long> measured;
        LoraAdapters? adapters = null;
        PolicyUpdater? updater = null;
        if (phase.StartsWith("update", StringComparison.Ordinal))
        {
            adapters = phase == "update-lora" ? LoraAdapters.Attach(model, new LoraOptions { Rank = LoraRank, Alpha = 2 * LoraRank }) : null;
            var options = new UpdateOptions
            {
                LearningRate = 1e-5, MiniBatchSize = s.Rows, MicroBatchSize = s.Rows, UseKlLoss = false, EntropyCoeff = 0, GradientCheckpointing = false,
            };
            updater = new PolicyUpdater(model, options, paddingId: 0, trainable: adapters?.Parameters());
            var rows = Enumerable.Range(0, s.Rows).Select(_ => (Prompt: Tokens(s.Tokens - s.ResponseTokens), Response: Tokens(s.ResponseTokens))).ToList();
            var old = updater.LogProbs(rows);
            var training = rows.Select((r, i) => new TrainingRow(r.Prompt, r.Response, old[i], [.. Enumerable.Repeat(i % 2 == 0 ? 1f : -1f, s.ResponseTokens)])).ToList();
            var update = updater;
            measured = () =>
            {
                var metrics = update.Update(training);
                if (metrics.OptimizerSteps != 1) throw new InvalidOperationException($"expected one optimizer step, got {metrics.OptimizerSteps}");
                return (long)s.Rows * s.Tokens;
            };
        }
        else
        {
            var generator = new TextGenerator(model, new NoStopTokenizer(config.VocabSize));
            var prompts = Enumerable.Range(0, s.Prompts).Select(_ => Tokens(s.PromptTokens)).ToList();
            var sampling = new SamplingOptions(Temperature: phase == "generate-greedy" ? 0 : 1.0, MaxNewTokens: s.NewTokens);
            measured = () =>
            {
                var result = generator.Generate(prompts, sampling);
                if (result.Any(r => r.TokenIds.Length != s.NewTokens)) throw new InvalidOperationException($"expected {s.NewTokens} new tokens per prompt");
                return (long)s.Prompts * s.NewTokens;
            };
        }

        try
        {
            var tokens = measured();
            Synchronize(device);
            var peak = meter.Stop();
            var seconds = new double[s.Repeats];
            for (var r = 0; r < s.Repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                measured();
                Synchronize(device);
                seconds[r] = clock.Elapsed.TotalSeconds;
            }
            var median = seconds.Order().ElementAt(s.Repeats / 2);
            return new PhaseFigures(phase, tokens, seconds, median, tokens / median, peak, meter.Method);
        }
        finally
        {
            updater?.Dispose();
            adapters?.Dispose();
        }
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }

    private static PhaseFigures Child(string phase, IReadOnlyList<string> args)
    {
        var arguments = new List<string> { "device-figures" };
        for (var i = 0; i < args.Count; i += 2)
            if (args[i] != "--json") arguments.AddRange([args[i], args[i + 1]]);
        arguments.AddRange(["--phase", phase]);
        return JsonSerializer.Deserialize<PhaseFigures>(ChildMeasurement.Run(arguments, $"device-figures: the {phase} phase"), Json)!;
    }

    private static string TorchSharpVersion() =>
        typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
}
