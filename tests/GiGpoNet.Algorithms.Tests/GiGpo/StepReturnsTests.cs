using GiGpoNet.Algorithms.GiGpo;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

public sealed class StepReturnsTests
{
    private static readonly GiGpoNet.Data.RolloutBatch Batch = Batches.New()
        .Trajectory("g", "a", ("s", 1), ("s", 2), ("s", 4))
        .Trajectory("g", "b", ("s", 0), ("s", 10))
        .InactiveTail("g", "b", 2, ("s", 99)).Build();

    [Test]
    public void Gamma_one_sums_the_remaining_rewards() =>
        Assert.That(StepReturns.Compute(Batch, 1.0), Is.EqualTo(new double[] { 7, 6, 4, 10, 10, 0 }));

    [Test]
    public void Gamma_zero_keeps_each_step_reward() =>
        Assert.That(StepReturns.Compute(Batch, 0.0), Is.EqualTo(new double[] { 1, 2, 4, 0, 10, 0 }));

    [Test]
    public void Gamma_discounts_geometrically() =>
        Assert.That(StepReturns.Compute(Batch, 0.5), Is.EqualTo(new[] { 1 + 1 + 1.0, 2 + 2, 4, 5, 10, 0 }));

    [Test]
    public void Trajectories_of_different_lengths_succeeding_at_the_last_step()
    {
        // ALFWorld shape: success (+10) at step T gives R_t = 10 * 0.95^(T - t).
        var batch = Batches.New().Trajectory("g", "a", ("s", 0), ("s", 0), ("s", 0), ("s", 10)).Build();
        Assert.That(StepReturns.Compute(batch, 0.95), Is.EqualTo(new[] { 10 * 0.95 * 0.95 * 0.95, 10 * 0.95 * 0.95, 10 * 0.95, 10 }).Within(1e-12));
    }
}
