using GiGpoNet.Advantages;
using GiGpoNet.Data;

namespace GiGpoNet.Hosting.Training;

/// <summary>The mean, standard deviation, minimum and maximum of the per-token advantages of a batch's active rows.</summary>
internal static class AdvantageStatistics
{
    /// <summary>Adds <c>adv_mean</c>, <c>adv_std</c>, <c>adv_min</c> and <c>adv_max</c>; returns whether an update can use them (some active row, all finite).</summary>
    public static bool Add(Dictionary<string, double> metrics, RolloutBatch batch, AdvantageResult advantages)
    {
        var values = new List<double>();
        var buffer = Array.Empty<float>();
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!batch.Active[row]) continue;
            var length = batch.ResponseLength(row);
            if (buffer.Length < length) buffer = new float[length];
            var perToken = buffer.AsSpan(0, length);
            advantages.CopyTokenAdvantages(row, perToken);
            foreach (var value in perToken) values.Add(value);
        }
        if (values.Count > 0)
        {
            var mean = values.Average();
            metrics["adv_mean"] = mean;
            metrics["adv_std"] = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / Math.Max(1, values.Count - 1));
            metrics["adv_min"] = values.Min();
            metrics["adv_max"] = values.Max();
        }
        return batch.ActiveRowCount > 0 && values.All(double.IsFinite);
    }
}
