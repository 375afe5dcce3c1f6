using System.Globalization;
using System.Text;
using System.Text.Json;
using GiGpoNet.Experiments.Ablations;
using GiGpoNet.Experiments.Reporting;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.MLNet;
using GiGpoNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;

namespace GiGpoNet;

/// <summary>
/// Runs, evaluations and ablation grids as ML.NET <see cref="IDataView"/>s (<see cref="AgentContext.Data"/>), read from the folders
/// <c>gigpo train</c>, <c>gigpo ablate</c> and <see cref="AgentContext"/> write, so ML.NET's statistics, filters and savers work on them.
/// </summary>
public sealed class AgentDataCatalog
{
    private readonly AgentServices _services;

    internal AgentDataCatalog(AgentServices services) => _services = services;

    /// <summary>The ML.NET context the views are made with (its <c>Data</c> catalog saves, filters and converts them).</summary>
    public MLContext MLContext { get; } = new(seed: 0);

    /// <summary>A run's <c>metrics.csv</c>: one row per iteration, a Single column per metric (<c>iteration</c>, <c>success_rate</c>, ...).</summary>
    /// <exception cref="FileNotFoundException">The folder has no metrics.csv.</exception>
    public IDataView LoadRun(string runFolder) => RolloutDataViews.FromRunFolder(MLContext, runFolder);

    /// <summary>
    /// A step-row file (the JSON lines <c>gigpo advantages</c> reads: one row per step of each trajectory) as one row per step, with
    /// each row's advantage under <paramref name="algorithm"/> (NaN without one): group, trajectory, step, anchor, reward, ....
    /// </summary>
    /// <exception cref="StepRowFileException">A line is malformed, or an advantage is not finite; the message names the line.</exception>
    /// <exception cref="ArgumentException">The rows lack what the algorithm needs (critic values for ppo), as <c>gigpo advantages</c> says.</exception>
    public IDataView LoadStepRows(string path, AlgorithmChoice? algorithm = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (algorithm is null) return RolloutDataViews.FromBatch(MLContext, StepRowFile.Read(path, requireAnchors: false).Batch);
        using var services = _services.Build(new Dictionary<string, string>(algorithm.Settings) { ["Training:Algorithm"] = algorithm.Name });
        var (file, result, _) = services.GetRequiredService<AdvantageFileJob>().Estimate(algorithm.Name, path);
        return RolloutDataViews.FromBatch(MLContext, file.Batch, result);
    }

    /// <summary>
    /// A run's validation evaluations (the warm start's at iteration 0, then every <c>Training:EvaluationInterval</c>): one row per
    /// evaluation, columns <c>iteration</c>, <c>env_steps</c> and each metric (<c>success_rate</c>, <c>success_rate/&lt;task type&gt;</c>, ...).
    /// </summary>
    /// <exception cref="InvalidDataException">A line of the run's metrics.jsonl is not valid JSON.</exception>
    public IDataView LoadEvaluations(string runFolder)
    {
        var evaluations = RunHistory.Load(runFolder).Evaluations;
        var metrics = evaluations.SelectMany(e => e.Metrics.Keys).Where(k => k is not "iteration" and not "env_steps").Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder().AppendJoin(',', ["iteration", "env_steps", .. metrics]).Append('\n');
        foreach (var e in evaluations)
            csv.AppendJoin(',', [Number(e.Iteration), Number(e.EnvironmentSteps), .. metrics.Select(m => Number(e.Metrics.GetValueOrDefault(m, double.NaN)))]).Append('\n');
        return CsvText.Load(MLContext, csv.ToString(), new HashSet<string>());
    }

    /// <summary>
    /// An ablation grid's runs in long format: one row per cell and seed, text columns <c>environment</c> and one per axis (its level's
    /// label), then <c>seed</c>, <c>finished</c> (1 or 0) and every number of the run's summary (<c>final_success</c>,
    /// <c>final_success_rate/&lt;task type&gt;</c>, <c>warm_start_success</c>, <c>env_steps</c>, <c>wall_seconds</c>, ...).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public IDataView LoadGrid(string gridFolder)
    {
        var (_, rows) = AblationReport.Read(gridFolder);
        var axes = rows.SelectMany(r => r.Labels.Keys).Distinct().ToList();
        var runs = rows.SelectMany(r => r.Runs.Select(run => (Row: r, run.Seed, run.Run))).ToList();
        var summary = runs.Where(r => r.Run.Summary is not null).SelectMany(r => r.Run.Summary!.Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Key))
            .Where(k => k is not "seed" and not "finished").Distinct().Order(StringComparer.Ordinal).ToList();
        var csv = new StringBuilder().AppendJoin(',', ["environment", .. axes, "seed", "finished", .. summary]).Append('\n');
        foreach (var (row, seed, run) in runs)
            csv.AppendJoin(',', [Quoted(row.Environment), .. axes.Select(a => Quoted(row.Labels.GetValueOrDefault(a, ""))), Number(seed),
                run.Finished ? "1" : "0", .. summary.Select(k => Number(run.SummaryValue(k)))]).Append('\n');
        return CsvText.Load(MLContext, csv.ToString(), new HashSet<string>(["environment", .. axes]));
    }

    /// <summary>
    /// An ablation grid's table as <c>gigpo report</c> writes it to results.csv: one row per combination, the mean and spread over its
    /// seeds (text columns <c>environment</c> and one per axis).
    /// </summary>
    /// <exception cref="FileNotFoundException">The grid has no report yet (<c>gigpo report</c> writes it).</exception>
    public IDataView LoadGridTable(string gridFolder)
    {
        var path = Path.Combine(gridFolder, "results.csv");
        if (!File.Exists(path)) throw new FileNotFoundException($"'{gridFolder}' has no results.csv; run `gigpo report {gridFolder}` to write it.", path);
        var axes = AblationReport.Read(gridFolder).Rows.SelectMany(r => r.Labels.Keys).Distinct();
        return CsvText.Load(MLContext, File.ReadAllText(path), new HashSet<string>(["environment", .. axes]));
    }

    private static string Number(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Quoted(string text) => $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
