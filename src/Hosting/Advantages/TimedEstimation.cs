using System.Diagnostics;
using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Hosting.Advantages;

/// <summary>
/// Runs an estimator and times the call alone. The call runs in a no-GC region where the runtime can give one (64 MB, well above
/// what an estimator allocates on a 51,200-row batch), so that a collection owed to the rollout's or the input file's
/// allocations is made before the clock starts rather than charged to the estimator; the result is the same either way.
/// </summary>
internal sealed class TimedEstimation(IAdvantageEstimator estimator)
{
    private const long NoGcBudgetBytes = 64L << 20;

    public (AdvantageResult Result, TimeSpan Elapsed) Estimate(RolloutBatch batch)
    {
        var region = TryStartNoGcRegion();
        try
        {
            var clock = Stopwatch.StartNew();
            var result = estimator.Estimate(batch);
            return (result, clock.Elapsed);
        }
        finally
        {
            if (region) EndNoGcRegion();
        }
    }

    private static void EndNoGcRegion()
    {
        // A collection another thread induces (Backend:GcStress does so without pause) ends the region at any moment, between a
        // look at GCSettings.LatencyMode and this call included; then there is nothing left to end.
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static bool TryStartNoGcRegion()
    {
        try
        {
            return GC.TryStartNoGCRegion(NoGcBudgetBytes);
        }
        catch (InvalidOperationException)
        {
            return false; // already in one
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // more than this GC's ephemeral segment can hold
        }
    }
}
