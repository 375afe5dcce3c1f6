using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*'       (all benchmarks)
// dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- --filter '*Advantage*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
