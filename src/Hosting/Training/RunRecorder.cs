using System.Globalization;
using System.Text;
using System.Text.Json;
using GiGpoNet.Hosting.Recording;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Writes a run folder: <c>metrics.jsonl</c> (every event, with its warning, if any, under <c>warning</c>), <c>metrics.csv</c> (one row per iteration, the columns of
/// <see cref="IterationColumns"/>), TensorBoard event files in <c>tensorboard/</c> (every metric as a scalar, tagged
/// <c>event/metric</c>), and at the end <c>summary.json</c> and <c>summary.md</c>.
/// </summary>
public sealed class RunRecorder : IRunRecorder
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The columns of metrics.csv, in order.</summary>
    public static readonly string[] IterationColumns =
    [
        MetricNames.Iteration, MetricNames.SuccessRate, MetricNames.EpisodeRewardMean, MetricNames.EpisodeLengthMean, MetricNames.InvalidActionRate,
        MetricNames.TruncatedRate, MetricNames.EnvironmentFailures, MetricNames.TaskScoreMean, MetricNames.UniformGroupFraction, MetricNames.EnvironmentSteps,
        MetricNames.StepGroups, MetricNames.StepGroupSizeMean, MetricNames.StepGroupSingletonFraction, .. MetricNames.StepGroupActions, .. MetricNames.Advantages,
        .. MetricNames.Update, MetricNames.RolloutSeconds, MetricNames.OldLogProbSeconds, MetricNames.AdvantageSeconds,
        MetricNames.UpdateSeconds, MetricNames.AdvantageTimeShare,
    ];

    private readonly StreamWriter _jsonl;
    private readonly StreamWriter _csv;
    private readonly TensorBoardEventWriter _tensorBoard;

    /// <summary>UTF-8 without a byte-order mark: JSON Lines and CSV readers (Python's json, jq, pandas) reject or mangle one.</summary>
    private static readonly UTF8Encoding Utf8WithoutMark = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The files and folders a run writes into its folder, which a run that starts over moves aside.</summary>
    private static readonly string[] RunOutputs =
        ["metrics.jsonl", "metrics.csv", "tensorboard", "summary.json", "summary.md", "learning_curve.png", "checkpoints", AgentTrainer.ConfigurationFileName];

    /// <summary>Where a run that starts over moves an earlier run's files: <c>earlier-runs/&lt;UTC time&gt;/</c> in the run folder.</summary>
    public const string EarlierRunsFolder = "earlier-runs";

    private string? _pendingWarning;

    /// <summary>
    /// Opens (and appends to) the run folder's metric files. When resuming after iteration <paramref name="resumedAfter"/>, lines of later
    /// iterations (written after that checkpoint, before the interruption) are dropped first, so that the files read as one run. A run
    /// that starts over (<paramref name="resumedAfter"/> null) in a folder with an earlier run's files (one interrupted before its first
    /// checkpoint, or <c>Training:Resume=false</c>) moves them to <see cref="EarlierRunsFolder"/> first, so that nothing is mixed and
    /// nothing is lost; the first recorded event's warning says where.
    /// </summary>
    public RunRecorder(string folder, int? resumedAfter = null)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
        if (resumedAfter is { } last) Truncate(last);
        else if (SetAsideEarlierRun() is { } movedTo)
            _pendingWarning = $"The run folder held an earlier run's files, which this run does not resume (it had no complete checkpoint, or Training:Resume=false); they were " +
                $"moved to {movedTo}.";
        _jsonl = new StreamWriter(Path.Combine(folder, "metrics.jsonl"), append: true, Utf8WithoutMark) { AutoFlush = true };
        var csvPath = Path.Combine(folder, "metrics.csv");
        var header = !File.Exists(csvPath) || new FileInfo(csvPath).Length == 0;
        _csv = new StreamWriter(csvPath, append: true, Utf8WithoutMark) { AutoFlush = true };
        if (header) _csv.WriteLine(string.Join(',', IterationColumns));
        _tensorBoard = new TensorBoardEventWriter(Path.Combine(folder, "tensorboard"));
    }

    private string? SetAsideEarlierRun()
    {
        // Checkpoints go too when one is complete (Training:Resume=false), or a later resume could read the earlier run's; a save's
        // leftovers without one stay (the next save cleans them up).
        var earlier = RunOutputs.Where(name => name != "checkpoints" || TrainingCheckpoint.Latest(Folder) is not null)
            .Select(name => Path.Combine(Folder, name)).Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (earlier.Count == 0) return null;
        var destination = Path.Combine(Folder, EarlierRunsFolder, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss-fff", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(destination);
        foreach (var path in earlier)
        {
            var target = Path.Combine(destination, Path.GetFileName(path));
            if (Directory.Exists(path)) Directory.Move(path, target);
            else File.Move(path, target);
        }
        return destination;
    }

    private void Truncate(int lastIteration)
    {
        var jsonl = Path.Combine(Folder, "metrics.jsonl");
        if (File.Exists(jsonl))
            File.WriteAllLines(jsonl, File.ReadAllLines(jsonl).Where(l =>
            {
                using var document = JsonDocument.Parse(l);
                var root = document.RootElement;
                return root.GetProperty("iteration").GetInt32() <= lastIteration && root.GetProperty("event").GetString() != TrainingEventKind.Finished;
            }));
        var csv = Path.Combine(Folder, "metrics.csv");
        if (File.Exists(csv))
        {
            var lines = File.ReadAllLines(csv);
            File.WriteAllLines(csv, lines.Take(1).Concat(lines.Skip(1).Where(l => int.Parse(l.AsSpan(0, l.IndexOf(',')), CultureInfo.InvariantCulture) <= lastIteration)));
        }
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>Records one event; returns it as recorded (the first one carries the warning of an earlier run set aside, if any).</summary>
    public TrainingEvent Record(TrainingEvent trainingEvent)
    {
        ArgumentNullException.ThrowIfNull(trainingEvent);
        var e = trainingEvent;
        if (_pendingWarning is not null)
        {
            e = e with { Warning = e.Warning is null ? _pendingWarning : $"{_pendingWarning} {e.Warning}" };
            _pendingWarning = null;
        }
        var line = new Dictionary<string, object> { ["event"] = e.Kind, ["iteration"] = e.Iteration };
        foreach (var (key, value) in e.Metrics) line[key] = double.IsFinite(value) ? value : null!;
        if (e.Warning is not null) line["warning"] = e.Warning;
        _jsonl.WriteLine(JsonSerializer.Serialize(line));
        foreach (var (key, value) in e.Metrics)
            if (double.IsFinite(value)) _tensorBoard.AddScalar($"{e.Kind}/{key}", (float)value, e.Iteration);
        if (e.Kind == TrainingEventKind.Iteration)
            _csv.WriteLine(string.Join(',', IterationColumns.Select(c =>
                c == "iteration" ? e.Iteration.ToString(CultureInfo.InvariantCulture)
                : e.Metrics.TryGetValue(c, out var v) && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "")));
        return e;
    }

    /// <inheritdoc />
    public void WriteConfiguration(string configuration) => File.WriteAllText(Path.Combine(Folder, AgentTrainer.ConfigurationFileName), configuration);

    /// <summary>Writes summary.json and summary.md.</summary>
    public string? WriteSummary(IReadOnlyDictionary<string, object> summary, string title)
    {
        ArgumentNullException.ThrowIfNull(summary);
        // A figure that does not exist (no warm start, no evaluation) is null, as in metrics.jsonl: JSON has no NaN.
        var json = summary.ToDictionary(p => p.Key, p => p.Value is double d && !double.IsFinite(d) ? null : p.Value);
        File.WriteAllText(Path.Combine(Folder, "summary.json"), JsonSerializer.Serialize(json, Indented));
        var text = new StringBuilder("# Training run\n\n| key | value |\n|---|---|\n");
        foreach (var (key, value) in summary)
            text.Append(CultureInfo.InvariantCulture, $"| {key} | {(value is double d ? d.ToString("0.####", CultureInfo.InvariantCulture) : value)} |\n");
        File.WriteAllText(Path.Combine(Folder, "summary.md"), text.ToString());
        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _jsonl.Dispose();
        _csv.Dispose();
        _tensorBoard.Dispose();
    }
}
