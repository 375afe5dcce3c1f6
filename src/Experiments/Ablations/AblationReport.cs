using System.Globalization;
using System.Text;
using GiGpoNet.Experiments.Reporting;
using GiGpoNet.Hosting.Storage;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>Mean and spread of one figure over the seeds of a row.</summary>
/// <param name="Mean">The mean.</param>
/// <param name="Std">The sample standard deviation (n − 1); NaN for a single seed, whose spread cannot be estimated.</param>
/// <param name="Count">How many seeds had the figure.</param>
public readonly record struct SeedStatistic(double Mean, double Std, int Count)
{
    /// <summary>The statistic of <paramref name="values"/> (non-finite values are left out).</summary>
    public static SeedStatistic Of(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        if (finite.Count == 0) return new SeedStatistic(double.NaN, double.NaN, 0);
        var mean = finite.Average();
        var std = finite.Count > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Count - 1)) : double.NaN;
        return new SeedStatistic(mean, std, finite.Count);
    }

    /// <summary>"mean ± std" in percent, one decimal, as the paper's tables write it; "mean (1 seed)" where no spread can be estimated.</summary>
    public string Percent() => Count == 0 ? "–"
        : Count == 1 ? string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:0.0} (1 seed)")
        : string.Create(CultureInfo.InvariantCulture, $"{100 * Mean:0.0} ± {100 * Std:0.0}");
}

/// <summary>One row of a results table: a combination of levels on one environment, over its seeds.</summary>
/// <param name="Environment">The environment.</param>
/// <param name="Labels">The level of each axis.</param>
/// <param name="Runs">The seeds' run folders, finished or not.</param>
public sealed record AblationRow(string Environment, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(long Seed, RunHistory Run)> Runs)
{
    /// <summary>The finished runs.</summary>
    public IEnumerable<RunHistory> Finished => Runs.Select(r => r.Run).Where(r => r.Finished);

    /// <summary>A summary figure over the finished seeds.</summary>
    public SeedStatistic Summary(string key) => SeedStatistic.Of(Finished.Select(r => r.SummaryValue(key)));

    /// <summary>A metric of the last evaluation over the finished seeds (for example <c>task_score_mean</c>).</summary>
    public SeedStatistic FinalEvaluation(string key) =>
        SeedStatistic.Of(Finished.Select(r => r.Evaluations.Count > 0 && r.Evaluations[^1].Metrics.TryGetValue(key, out var v) ? v : double.NaN));
}

/// <summary>
/// Builds the results of a grid from its run folders alone (<c>gigpo report</c>): per environment, a table in the spirit of the paper's
/// Table 1 (mean ± std over seeds of the final validation success, overall and per task type; the task score where the environment has
/// one; the compute spent), as Markdown (<c>results.md</c>) and CSV (<c>results.csv</c>), and learning curves with the seeds' band
/// (<c>curves-&lt;environment&gt;-validation.png</c> and <c>-training.png</c>).
/// </summary>
public static class AblationReport
{
    /// <summary>
    /// Reads every cell folder under <paramref name="folder"/> into table rows, in the grid's order (the cells' recorded positions; cells
    /// described before positions were recorded, in the order they were first run).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static (string Title, IReadOnlyList<AblationRow> Rows) Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"The folder '{Path.GetFullPath(folder)}' does not exist; give the output folder of 'gigpo ablate'.");
        var cells = Directory.EnumerateDirectories(folder).Order(StringComparer.Ordinal)
            .Select(d => (Folder: d, Described: AblationCell.Load(d)))
            .Where(c => c.Described is not null)
            .Select(c => (c.Folder, c.Described!.Value.Grid, c.Described.Value.Cell))
            .OrderBy(c => c.Cell.Position).ThenBy(c => File.GetCreationTimeUtc(Path.Combine(c.Folder, AblationCell.FileName)))
            .ToList();
        var title = cells.Select(c => c.Grid).FirstOrDefault(g => g.Length > 0) ?? Path.GetFileName(Path.GetFullPath(folder));
        var rows = cells
            .GroupBy(c => (Environment: c.Cell.Settings.GetValueOrDefault("Training:Environment") ?? EnvironmentOf(c.Folder), Key: string.Join('\u001f', c.Cell.Labels.Select(l =>
                $"{l.Key}={l.Value}"))))
            .Select(g => new AblationRow(g.Key.Environment, g.First().Cell.Labels, [.. g.OrderBy(c => c.Cell.Seed).Select(c => (c.Cell.Seed, RunHistory.Load(c.Folder)))]))
            .ToList();
        return (title, rows);
    }

    /// <summary>The file a report's writer holds while it writes.</summary>
    private const string ReportLockFileName = "report.lock";

    private static string EnvironmentOf(string folder) => RunHistory.Load(folder).SummaryText("environment") ?? "default environment";

    /// <summary>
    /// Writes results.md, results.csv and the curve charts into <paramref name="folder"/>; returns the paths written. Writers take turns
    /// (array tasks of one grid that end together each write it), so the last to end writes the report of every cell.
    /// </summary>
    /// <exception cref="InvalidDataException">The folder holds no cell folders.</exception>
    public static IReadOnlyList<string> Write(string folder)
    {
        using var turn = ExclusiveFileLock.TakeAsync(Path.Combine(folder, ReportLockFileName), TimeSpan.FromMilliseconds(100), CancellationToken.None)
            .GetAwaiter().GetResult();
        var (title, rows) = Read(folder);
        if (rows.Count == 0) throw new InvalidDataException($"'{folder}' holds no cell folders (with {AblationCell.FileName}); give the output folder of 'gigpo ablate'.");
        var written = new List<string>();
        var markdown = new StringBuilder($"# {title}\n\n");
        markdown.Append("Final validation success rate (%, mean ± sample std over the finished seeds; a row with one seed has no spread), per task type and overall; ")
            .Append("env steps and wall time are means per run. Regenerate with `gigpo report ").Append(folder).Append("`.\n\n");
        var csv = new StringBuilder();
        var axes = rows.SelectMany(r => r.Labels.Keys).Distinct().ToList();
        var csvTypes = TaskTypeKeys(rows);
        csv.AppendJoin(',', ["environment", .. axes, "seeds_finished", "seeds", "success_mean", "success_std",
            .. csvTypes.SelectMany(t => new[] { $"{t["final_".Length..]}_mean", $"{t["final_".Length..]}_std" }), MetricNames.TaskScoreMean, "task_score_std",
            "warm_start_success_mean", "env_steps_mean", "wall_seconds_mean"]).Append('\n');

        foreach (var environment in rows.GroupBy(r => r.Environment))
        {
            var types = TaskTypeKeys(environment);
            var hasScore = environment.Any(r => r.FinalEvaluation(MetricNames.TaskScoreMean).Count > 0);
            markdown.Append(CultureInfo.InvariantCulture, $"## {environment.Key}\n\n| ").AppendJoin(" | ", axes).Append(" | seeds | ")
                .AppendJoin("", types.Select(t => t["final_success_rate/".Length..] + " | "))
                .Append(hasScore ? "score | " : "").Append("**all** | warm start | env steps | wall s |\n|")
                .Append(string.Concat(Enumerable.Repeat("---|", axes.Count + 1 + types.Count + (hasScore ? 1 : 0) + 4))).Append('\n');
            foreach (var row in environment)
            {
                var success = row.Summary(MetricNames.FinalSuccess);
                var score = row.FinalEvaluation(MetricNames.TaskScoreMean);
                var seeds = row.Runs.Count(r => r.Run.Finished);
                var (warmStart, steps, wall) =
                    (row.Summary(MetricNames.WarmStartSuccess), row.Summary(MetricNames.EnvironmentSteps).Mean, row.Summary(MetricNames.WallSeconds).Mean);
                markdown.Append("| ").AppendJoin(" | ", axes.Select(a => row.Labels.GetValueOrDefault(a, "")))
                    .Append(CultureInfo.InvariantCulture, $" | {seeds}/{row.Runs.Count} | ")
                    .AppendJoin("", types.Select(t => row.Summary(t).Percent() + " | "))
                    .Append(hasScore ? score.Percent() + " | " : "").Append(CultureInfo.InvariantCulture, $"**{success.Percent()}** | {warmStart.Percent()} | ")
                    .Append(Number(steps, "0")).Append(" | ").Append(Number(wall, "0")).Append(" |\n");
                csv.AppendJoin(',', [Csv(environment.Key), .. axes.Select(a => Csv(row.Labels.GetValueOrDefault(a, ""))),
                    seeds.ToString(CultureInfo.InvariantCulture), row.Runs.Count.ToString(CultureInfo.InvariantCulture),
                    Number(success.Mean), Number(success.Std),
                    .. csvTypes.SelectMany(t => new[] { Number(row.Summary(t).Mean), Number(row.Summary(t).Std) }),
                    Number(score.Mean), Number(score.Std), Number(warmStart.Mean), Number(steps, "0"), Number(wall, "0.#")]).Append('\n');
            }
            foreach (var (kind, caption) in new[] { ("validation", "validation success"), ("training", "training-rollout success") })
            {
                var name = $"curves-{AblationGrid.Slug(environment.Key)}-{kind}.png";
                var series = environment.Select(r => Band(r, kind == "validation")).Where(s => s.X.Length > 0).ToList();
                if (series.Count == 0) continue;
                LearningCurveChart.Save(Path.Combine(folder, name), $"{title}: {environment.Key}, {caption} (mean ± std over seeds)", "environment steps", "success rate", series);
                written.Add(Path.Combine(folder, name));
                markdown.Append(CultureInfo.InvariantCulture, $"\n![{environment.Key} {caption}]({name})\n");
            }
            markdown.Append('\n');
        }
        File.WriteAllText(Path.Combine(folder, "results.md"), markdown.ToString());
        File.WriteAllText(Path.Combine(folder, "results.csv"), csv.ToString());
        written.InsertRange(0, [Path.Combine(folder, "results.md"), Path.Combine(folder, "results.csv")]);
        return written;
    }

    /// <summary>The mean curve of a row over its seeds, with a ± std band, on the iterations every seed has reached.</summary>
    private static CurveSeries Band(AblationRow row, bool validation)
    {
        var runs = row.Runs.Select(r => validation ? r.Run.Evaluations : r.Run.Iterations).Where(p => p.Count > 0).ToList();
        var label = string.Join(", ", row.Labels.Values);
        if (runs.Count == 0) return new CurveSeries(label, [], []);
        var iterations = runs.Select(p => p.Select(x => x.Iteration).ToHashSet()).Aggregate((a, b) => { a.IntersectWith(b); return a; }).Order().ToList();
        var x = new List<double>();
        var mean = new List<double>();
        var low = new List<double>();
        var high = new List<double>();
        void AddPoint(List<RunPoint> points) // one point per seed
        {
            var stat = SeedStatistic.Of(points.Select(p => p.Metrics.GetValueOrDefault(MetricNames.SuccessRate, double.NaN)));
            if (stat.Count == 0) return;
            x.Add(points.Average(p => p.EnvironmentSteps));
            mean.Add(stat.Mean);
            var spread = double.IsFinite(stat.Std) ? stat.Std : 0; // one seed: a line without a band
            low.Add(Math.Max(0, stat.Mean - spread));
            high.Add(Math.Min(1, stat.Mean + spread));
        }
        foreach (var iteration in iterations) AddPoint([.. runs.Select(p => p.Last(q => q.Iteration == iteration))]);
        // Runs stopped by an environment-step budget end at different iterations: their final evaluations make the last point.
        if (validation && row.Runs.All(r => r.Run.Finished) && runs.All(p => !iterations.Contains(p[^1].Iteration)))
            AddPoint([.. runs.Select(p => p[^1])]);
        return new CurveSeries($"{label} (n={runs.Count})", [.. x], [.. mean], [.. low], [.. high], Markers: validation);
    }

    /// <summary>The summary keys of the task types' final success (<c>final_success_rate/&lt;type&gt;</c>) of the rows' finished runs, sorted.</summary>
    private static List<string> TaskTypeKeys(IEnumerable<AblationRow> rows) =>
        [.. rows.SelectMany(r => r.Finished).SelectMany(r => r.Summary!.Keys)
            .Where(k => k.StartsWith("final_success_rate/", StringComparison.Ordinal)).Distinct().Order(StringComparer.Ordinal)];

    private static string Number(double value, string format = "0.####") =>
        double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "";

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
