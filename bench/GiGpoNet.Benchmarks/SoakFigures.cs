using System.Globalization;
using GiGpoNet.Backend.Devices;
using GiGpoNet.Backend.Diagnostics;
using TorchSharp;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- soak [cycles] [minutes]</c> (defaults 2000 and 60): the backend's
/// generation, log-prob recomputation, PPO update and AdamW in a loop under GC stress (<see cref="BackendSoak"/>); prints what it ran.
/// A libtorch failure ends it with the exception and the cycle it happened in.
/// </summary>
public static class SoakFigures
{
    public static void Run(TextWriter output, string[] args)
    {
        var cycles = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2000;
        var minutes = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        CpuNumerics.Pin(CpuCapability.Auto);
        torch.set_num_threads(Environment.ProcessorCount);
        var last = 0;
        try
        {
            var result = BackendSoak.Run(cycles, TimeSpan.FromMinutes(minutes), c =>
            {
                last = c;
                if (c % 100 == 0) output.WriteLine($"  cycle {c}");
            });
            output.WriteLine($"soak under GC stress: {result.Cycles} cycles, {result.Generations} generations (8 prompts x 6 tokens), " +
                $"{result.Updates} updates ({result.OptimizerSteps} AdamW steps), {result.Collections:N0} forced full collections, " +
                $"{result.Elapsed.TotalMinutes:N1} min, no failure");
        }
        catch (Exception e) when (e is System.Runtime.InteropServices.ExternalException or InvalidOperationException or ArgumentException)
        {
            output.WriteLine($"soak failed after {last} complete cycles: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            Environment.ExitCode = 1;
        }
    }
}
