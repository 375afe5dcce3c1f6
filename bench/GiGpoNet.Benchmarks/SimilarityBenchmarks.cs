using BenchmarkDotNet.Attributes;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;

namespace GiGpoNet.Benchmarks;

/// <summary>Similarity-based step grouping (difflib ratio, greedy clustering) on a smaller batch: 16 groups × 8 × 50.</summary>
[MemoryDiagnoser]
public class SimilarityBenchmarks
{
    private RolloutBatch _batch = null!;
    private GiGpoAdvantageEstimator _estimator = null!;

    [GlobalSetup]
    public void Setup()
    {
        _batch = RolloutBatch.Create(SyntheticRollouts.Rows(16, 8, 50, 30));
        _estimator = new GiGpoAdvantageEstimator(new GiGpoOptions { EnableSimilarity = true, SimilarityThreshold = 0.95 });
    }

    [Benchmark]
    public object GiGpoWithSimilarity() => _estimator.Estimate(_batch);
}
