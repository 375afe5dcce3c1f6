using BenchmarkDotNet.Running;
using GiGpoNet.Benchmarks;

// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*'        all BenchmarkDotNet benchmarks
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*Advantage*'
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- env                 environment and rollout-loop figures
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- step-groups         household's step groups by room size, horizon and policy noise
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- backend-train       TorchSharp training step (tokens/s, peak memory)
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- backend-generate    KV-cache vs recomputing generation
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- soak [cycles] [minutes]   generation + updates under GC stress
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- cold-start [--cli gigpo.dll] [--runs N]   the first GiGPO call in a fresh process
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- update-memory       peak memory and time of one 0.5B-shaped update, full and LoRA
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- checkpoint-cost     resident memory and checkpoint sizes of a 0.5B-shaped run, full and LoRA
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- device-info [--device cuda]   whether TorchSharp's native backend loads, and CUDA
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- device-figures [--device cuda] [--dtype bfloat16] [--shape qwen2.5-0.5b] [--json F]
//                                                                                  update and generation throughput and peak memory on a device
switch (args)
{
    case ["env", ..]:
        await EnvironmentFigures.RunAsync(Console.Out);
        return;
    case ["step-groups", ..]:
        await StepGroupFigures.RunAsync(Console.Out);
        return;
    case ["backend-train", ..]:
        BackendFigures.Train(Console.Out);
        return;
    case ["backend-generate", ..]:
        BackendFigures.Generate(Console.Out);
        return;
    case ["update-memory", .. var rest]:
        UpdateMemoryFigures.Run(Console.Out, rest);
        return;
    case ["checkpoint-cost", .. var rest]:
        CheckpointCostFigures.Run(Console.Out, rest);
        return;
    case ["device-info", .. var rest]:
        Environment.ExitCode = DeviceInfo.Run(Console.Out, rest);
        return;
    case ["device-figures", .. var rest]:
        DeviceFigures.Run(Console.Out, rest);
        return;
    case ["cold-start", .. var rest]:
        ColdStartFigures.Run(Console.Out, rest);
        return;
    case ["soak", .. var rest]:
        SoakFigures.Run(Console.Out, rest);
        return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
