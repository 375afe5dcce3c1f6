using BenchmarkDotNet.Attributes;
using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Data;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// The advantage computation on 128 groups × 8 trajectories × 50 steps = 51,200 rows (issue #2's benchmark).
/// Reference on this 2-core machine: verl-agent's Python takes 1.59 s for the advantage call and 36.8 s for the step returns.
/// </summary>
[MemoryDiagnoser]
public class AdvantageBenchmarks
{
    private List<StepRow> _rows = null!;
    private RolloutBatch _batch = null!;
    private GiGpoAdvantageEstimator _gigpo = null!;
    private GiGpoAdvantageEstimator _gigpoWithStd = null!;
    private GrpoAdvantageEstimator _grpo = null!;

    [Params(128)] public int Groups { get; set; }
    [Params(8)] public int GroupSize { get; set; }
    [Params(50)] public int Steps { get; set; }
    [Params(30)] public int StatesPerGroup { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _rows = SyntheticRollouts.Rows(Groups, GroupSize, Steps, StatesPerGroup);
        _batch = RolloutBatch.Create(_rows);
        _gigpo = new GiGpoAdvantageEstimator(new GiGpoOptions());
        _gigpoWithStd = new GiGpoAdvantageEstimator(new GiGpoOptions { Mode = AdvantageNormalization.MeanStdNorm });
        _grpo = new GrpoAdvantageEstimator(new GrpoOptions());
    }

    /// <summary>Step returns, both levels, exact anchor grouping: the whole GiGPO computation.</summary>
    [Benchmark(Baseline = true)]
    public AdvantageResult GiGpo() => _gigpo.Estimate(_batch);

    [Benchmark]
    public AdvantageResult GiGpoWithStd() => _gigpoWithStd.Estimate(_batch);

    [Benchmark]
    public AdvantageResult Grpo() => _grpo.Estimate(_batch);

    /// <summary>Building the columnar batch from step rows (interning ids, sorting rows by trajectory and step).</summary>
    [Benchmark]
    public RolloutBatch BuildBatch() => RolloutBatch.Create(_rows);
}
