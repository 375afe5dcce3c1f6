using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.GiGpo;

/// <summary>
/// Discounted return from every step of every trajectory (the paper's Eq. 5): R_t = r_t + γ·R_{t+1} over the active steps,
/// from the environment's raw rewards (before any invalid-action penalty). One backward pass per trajectory: O(rows).
/// </summary>
public static class StepReturns
{
    /// <summary>Per-row discounted returns; inactive rows get 0.</summary>
    /// <param name="batch">The batch.</param>
    /// <param name="gamma">The discount, finite and 0 or more (0 gives each step its own reward).</param>
    public static double[] Compute(RolloutBatch batch, double gamma)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!(double.IsFinite(gamma) && gamma >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "The discount must be a finite number of 0 or more.");
        var rewards = batch.Rewards;
        var returns = new double[batch.RowCount];
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            var rows = batch.ActiveRowsOf(t);
            var running = 0.0;
            for (var k = rows.Length - 1; k >= 0; k--)
            {
                running = rewards[rows[k]] + gamma * running;
                returns[rows[k]] = running;
            }
        }
        return returns;
    }
}
