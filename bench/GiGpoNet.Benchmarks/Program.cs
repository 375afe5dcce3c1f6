using BenchmarkDotNet.Running;
using GiGpoNet.Benchmarks;

// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*'        all BenchmarkDotNet benchmarks
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*Advantage*'
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- env                 environment and rollout-loop figures
if (args is ["env", ..])
{
    await EnvironmentFigures.RunAsync(Console.Out);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
