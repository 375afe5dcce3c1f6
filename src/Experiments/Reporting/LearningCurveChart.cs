using GiGpoNet.Hosting.Training;
namespace GiGpoNet.Experiments.Reporting;

/// <summary>One curve of a chart: a mean line and, when the low and high bounds are given, a shaded band (the seeds' spread).</summary>
/// <param name="Label">The legend text.</param>
/// <param name="X">The x values (environment steps or iterations), increasing.</param>
/// <param name="Mean">The line.</param>
/// <param name="Low">The band's lower edge, or null for no band.</param>
/// <param name="High">The band's upper edge, or null for no band.</param>
/// <param name="Markers">Whether to mark each point (sparse series such as evaluations).</param>
public sealed record CurveSeries(string Label, double[] X, double[] Mean, double[]? Low = null, double[]? High = null, bool Markers = false);

/// <summary>Draws learning curves as PNG files (ScottPlot).</summary>
public static class LearningCurveChart
{
    /// <summary>Draws <paramref name="series"/> on one chart and saves it as a PNG of 900 × 540 pixels.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<CurveSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (s.X.Length == 0) continue;
            var color = palette.GetColor(i);
            if (s.Low is not null && s.High is not null && s.X.Length > 1)
            {
                var band = plot.Add.FillY(s.X, s.Low, s.High);
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(s.X, s.Mean, color);
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.MarkerSize = s.Markers || s.X.Length == 1 ? 7 : 0;
        }
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsY(-0.02, 1.02);
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        plot.SavePng(path, 900, 540);
    }

    /// <summary>
    /// The learning curve of one run (<c>learning_curve.png</c> in its folder): the success rate of the training rollouts per iteration,
    /// and the validation success rate at each evaluation (the warm start's at 0), over environment steps.
    /// </summary>
    public static void SaveRun(RunHistory run, string path, string title)
    {
        ArgumentNullException.ThrowIfNull(run);
        var training = run.Iterations.Where(p => p.Metrics.ContainsKey(MetricNames.SuccessRate)).ToList();
        var validation = run.Evaluations.Where(p => p.Metrics.ContainsKey(MetricNames.SuccessRate)).ToList();
        Save(path, title, "environment steps", "success rate",
        [
            new CurveSeries("training rollouts", [.. training.Select(p => p.EnvironmentSteps)], [.. training.Select(p => p.Metrics[MetricNames.SuccessRate])]),
            new CurveSeries("validation", [.. validation.Select(p => p.EnvironmentSteps)], [.. validation.Select(p => p.Metrics[MetricNames.SuccessRate])], Markers: true),
        ]);
    }
}
