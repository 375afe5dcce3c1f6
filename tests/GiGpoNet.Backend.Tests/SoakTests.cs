using GiGpoNet.Backend.Diagnostics;

namespace GiGpoNet.Backend.Tests;

/// <summary>The short version of the soak (bench: <c>soak</c>): generation and updates under GC stress finish with no libtorch failure.</summary>
public sealed class SoakTests
{
    [Test]
    [Category("Slow")]
    public void Generation_and_updates_under_GC_stress_finish_without_a_native_failure()
    {
        var result = BackendSoak.Run(cycles: 60, budget: TimeSpan.FromMinutes(4));
        Assert.That(result.Cycles, Is.EqualTo(60), "every cycle ran within the budget");
        Assert.That(result.OptimizerSteps, Is.GreaterThanOrEqualTo(60));
        Assert.That(result.Collections, Is.GreaterThan(result.Cycles), "the stress thread collected throughout");
    }

    [Test]
    public void The_stress_thread_forces_collections_until_it_is_stopped()
    {
        long collections;
        using (var stress = GcStress.Start())
        {
            var weak = Finalizable();
            SpinWait.SpinUntil(() => stress.Collections > 3 && !weak.IsAlive, TimeSpan.FromSeconds(10));
            Assert.That(weak.IsAlive, Is.False, "an unreferenced object was collected without any call of ours");
            collections = stress.Collections;
        }
        Thread.Sleep(50);
        Assert.That(collections, Is.GreaterThan(3));
    }

    private static WeakReference Finalizable() => new(new object());
}
