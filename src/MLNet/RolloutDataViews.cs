using GiGpoNet.Advantages;
using GiGpoNet.Data;
using Microsoft.ML;

namespace GiGpoNet.MLNet;

/// <summary>One step row as an ML.NET row.</summary>
public sealed class StepRowRecord
{
    /// <summary>Episode group.</summary>
    public string Group { get; set; } = "";

    /// <summary>Trajectory.</summary>
    public string Trajectory { get; set; } = "";

    /// <summary>Step index.</summary>
    public int Step { get; set; }

    /// <summary>Anchor observation.</summary>
    public string Anchor { get; set; } = "";

    /// <summary>Environment reward.</summary>
    public float Reward { get; set; }

    /// <summary>Taken before done.</summary>
    public bool Active { get; set; }

    /// <summary>The action parsed.</summary>
    public bool ActionValid { get; set; }

    /// <summary>Response length in tokens.</summary>
    public int ResponseTokens { get; set; }

    /// <summary>The advantage (mean over the row's tokens for token-level estimators); NaN without a result.</summary>
    public float Advantage { get; set; } = float.NaN;
}

/// <summary>
/// Rollouts and training metrics as ML.NET <see cref="IDataView"/>s, so runs can be analysed with the ML.NET tools a .NET developer knows
/// (filtering, statistics, export to CSV or Parquet).
/// </summary>
public static class RolloutDataViews
{
    /// <summary>One row per step row of <paramref name="batch"/>, with its advantage when <paramref name="advantages"/> is given.</summary>
    public static IDataView FromBatch(MLContext context, RolloutBatch batch, AdvantageResult? advantages = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(batch);
        var records = new List<StepRowRecord>(batch.RowCount);
        for (var row = 0; row < batch.RowCount; row++)
        {
            var tokens = batch.ResponseLength(row);
            var buffer = new float[tokens];
            advantages?.CopyTokenAdvantages(row, buffer);
            records.Add(new StepRowRecord
            {
                Group = batch.GroupIds[batch.GroupIndex[row]], Trajectory = batch.TrajectoryIds[batch.TrajectoryIndex[row]], Step = batch.StepIndex[row],
                Anchor = batch.Anchors.Length > 0 ? batch.Anchors[row] ?? "" : "", Reward = (float)batch.Rewards[row], Active = batch.Active[row],
                ActionValid = batch.ActionValid[row], ResponseTokens = batch.ResponseTokenIds is null ? 0 : tokens,
                Advantage = advantages is null ? float.NaN : buffer.Average(),
            });
        }
        return context.Data.LoadFromEnumerable(records);
    }

    /// <summary>
    /// A run folder's <c>metrics.csv</c>: one row per iteration, a Single column per column of its header (a folder written by another
    /// version, with other columns, loads by name; an empty cell is NaN).
    /// </summary>
    public static IDataView FromRunFolder(MLContext context, string runFolder)
    {
        ArgumentNullException.ThrowIfNull(context);
        var path = Path.Combine(runFolder, "metrics.csv");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{runFolder}' has no metrics.csv; is it a run folder?", path);
        return CsvText.Load(context, File.ReadAllText(path), new HashSet<string>());
    }
}
