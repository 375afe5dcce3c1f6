using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.GiGpo;

/// <summary>
/// How much of the step level's signal the episode level could not have given. The episode advantage is one value per trajectory,
/// so the step advantages split exactly into a per-trajectory constant (Σ n_t·mean_t², the kind of credit the episode level gives)
/// and what varies between the steps of one trajectory (Σ (A_S − mean_t)², credit to individual steps).
/// </summary>
internal static class LevelOverlap
{
    /// <summary>A level whose variance over the rows is below this is constant (sums of O(1) values in another order differ by ~1e-16).</summary>
    private const double ConstantVariance = 1e-12;

    /// <summary>The share of Σ A_S² over active rows that varies within trajectories; 0 when every step advantage is 0.</summary>
    public static double WithinTrajectoryShare(RolloutBatch batch, double[] stepAdvantages)
    {
        double total = 0, within = 0;
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            var rows = batch.ActiveRowsOf(t);
            if (rows.Length == 0) continue;
            double sum = 0;
            foreach (var row in rows) sum += stepAdvantages[row];
            var mean = sum / rows.Length;
            foreach (var row in rows)
            {
                total += stepAdvantages[row] * stepAdvantages[row];
                within += (stepAdvantages[row] - mean) * (stepAdvantages[row] - mean);
            }
        }
        return total == 0 ? 0 : within / total;
    }

    /// <summary>Pearson's correlation of the two levels over active rows; 0 when either level is constant over them.</summary>
    public static double Correlation(RolloutBatch batch, double[] episodeAdvantages, double[] stepAdvantages)
    {
        var active = batch.Active;
        double n = 0, sumE = 0, sumS = 0;
        for (var row = 0; row < active.Length; row++)
        {
            if (!active[row]) continue;
            n++;
            sumE += episodeAdvantages[row];
            sumS += stepAdvantages[row];
        }
        if (n < 2) return 0;
        double meanE = sumE / n, meanS = sumS / n, covariance = 0, varianceE = 0, varianceS = 0;
        for (var row = 0; row < active.Length; row++)
        {
            if (!active[row]) continue;
            var e = episodeAdvantages[row] - meanE;
            var s = stepAdvantages[row] - meanS;
            covariance += e * s;
            varianceE += e * e;
            varianceS += s * s;
        }
        return varianceE / n < ConstantVariance || varianceS / n < ConstantVariance ? 0 : covariance / Math.Sqrt(varianceE * varianceS);
    }
}
