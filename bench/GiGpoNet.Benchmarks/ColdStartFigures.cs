using System.Diagnostics;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- cold-start</c>: in a fresh process, the first GiGPO call on the
/// 51,200-row batch of <see cref="AdvantageBenchmarks"/> against the median of the 20 calls after it (the warm figure).
/// </summary>
public static class ColdStartFigures
{
    public static void Run(TextWriter output)
    {
        var batch = RolloutBatch.Create(SyntheticRollouts.Rows(128, 8, 50, 30));
        var estimator = new GiGpoAdvantageEstimator(new GiGpoOptions());
        var clock = Stopwatch.StartNew();
        estimator.Estimate(batch);
        var first = clock.Elapsed.TotalMilliseconds;
        var warm = new List<double>();
        for (var i = 0; i < 20; i++)
        {
            clock.Restart();
            estimator.Estimate(batch);
            warm.Add(clock.Elapsed.TotalMilliseconds);
        }
        warm.Sort();
        output.WriteLine($"GiGPO on 51,200 rows: first call {first:F2} ms, warm median {warm[10]:F2} ms ({first / warm[10]:F1}x)");
    }
}
