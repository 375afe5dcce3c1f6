using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Hosting.Advantages;

namespace GiGpoNet.Hosting.Tests.Advantages;

/// <summary>
/// The estimator is timed in a no-GC region; a collection that another thread induces ends the region at any moment (GC stress
/// does so without pause), and that must cost the timing nothing but its region, never the estimate.
/// </summary>
public sealed class TimedEstimationTests
{
    private static readonly RolloutBatch Batch = RolloutBatch.Create([new StepRow { GroupId = "g", TrajectoryId = "t", StepIndex = 0, Reward = 1 }]);

    [Test]
    public void A_collection_induced_during_the_estimate_ends_the_region_but_not_the_estimate()
    {
        var timed = new TimedEstimation(new WorkingEstimator(() => GC.Collect()));
        var (result, _) = timed.Estimate(Batch);
        Assert.That(result.RowAdvantages, Is.EqualTo(new[] { 0.5 }));
        Assert.That(System.Runtime.GCSettings.LatencyMode, Is.Not.EqualTo(System.Runtime.GCLatencyMode.NoGCRegion));
    }

    [Test]
    public void Estimates_under_collections_induced_by_another_thread_all_finish()
    {
        // Young-generation collections without pause against estimates that allocate: the region ends at random moments, some of
        // them between the estimate and the end of the region.
        var timed = new TimedEstimation(new WorkingEstimator(() => GC.KeepAlive(new double[100_000])));
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect(0, GCCollectionMode.Forced, blocking: true);
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        var estimates = 0;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Assert.That(timed.Estimate(Batch).Result.RowAdvantages, Is.EqualTo(new[] { 0.5 }));
                estimates++;
            }
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
        Assert.That(estimates, Is.GreaterThan(100));
        Assert.That(System.Runtime.GCSettings.LatencyMode, Is.Not.EqualTo(System.Runtime.GCLatencyMode.NoGCRegion));
    }

    /// <summary>Does <paramref name="work"/> (a collection, an allocation), then gives every batch the advantage 0.5.</summary>
    private sealed class WorkingEstimator(Action work) : IAdvantageEstimator
    {
        public RolloutFields RequiredFields => RolloutFields.None;

        public AdvantageResult Estimate(RolloutBatch batch)
        {
            work();
            return AdvantageResult.PerRow([0.5]);
        }
    }
}
