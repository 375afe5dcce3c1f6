using System.Text.Json;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Experiments.Reporting;

/// <summary>One recorded event of a run: its iteration, the environment steps spent so far, and its metrics.</summary>
/// <param name="Iteration">The RL iteration (0 for the warm start).</param>
/// <param name="EnvironmentSteps">Environment steps of training rollouts spent up to this event.</param>
/// <param name="Metrics">The event's metrics.</param>
public sealed record RunPoint(int Iteration, double EnvironmentSteps, IReadOnlyDictionary<string, double> Metrics);

/// <summary>
/// What a run folder recorded, read back from <c>metrics.jsonl</c> and <c>summary.json</c>: the training iterations, the
/// validation evaluations (the warm start's first, at iteration 0) and the summary. Reports and charts are built from it, never by re-running.
/// </summary>
public sealed class RunHistory
{
    private RunHistory(string folder, IReadOnlyList<RunPoint> iterations, IReadOnlyList<RunPoint> evaluations, IReadOnlyDictionary<string, JsonElement>? summary)
    {
        Folder = folder;
        Iterations = iterations;
        Evaluations = evaluations;
        Summary = summary;
    }

    /// <summary>The run folder.</summary>
    public string Folder { get; }

    /// <summary>The training iterations, in order.</summary>
    public IReadOnlyList<RunPoint> Iterations { get; }

    /// <summary>The validation evaluations, in order: the warm start's (iteration 0) when there was one, then every evaluation.</summary>
    public IReadOnlyList<RunPoint> Evaluations { get; }

    /// <summary><c>summary.json</c>, or null while the run has not finished.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Summary { get; }

    /// <summary>Whether the run finished (it wrote <c>summary.json</c>).</summary>
    public bool Finished => Summary is not null;

    /// <summary>A number from the summary, or NaN.</summary>
    public double SummaryValue(string key) =>
        Summary is not null && Summary.TryGetValue(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    /// <summary>A text from the summary, or null.</summary>
    public string? SummaryText(string key) =>
        Summary is not null && Summary.TryGetValue(key, out var v) ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText() : null;

    /// <summary>Reads a run folder.</summary>
    /// <exception cref="InvalidDataException">A line of metrics.jsonl or summary.json is not valid JSON; the message names the file and line.</exception>
    public static RunHistory Load(string folder)
    {
        var iterations = new List<RunPoint>();
        var evaluations = new List<RunPoint>();
        var metricsPath = Path.Combine(folder, "metrics.jsonl");
        double steps = 0;
        if (File.Exists(metricsPath))
        {
            var lineNumber = 0;
            foreach (var line in File.ReadLines(metricsPath))
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line)) continue;
                Dictionary<string, JsonElement> fields;
                try
                {
                    fields = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(line) ?? [];
                }
                catch (JsonException e)
                {
                    throw new InvalidDataException($"{metricsPath}, line {lineNumber}: not a JSON object ({e.Message}). Delete the line or the run folder and run the cell again.",
                        e);
                }
                var kind = fields.TryGetValue("event", out var k) ? k.GetString() : null;
                var iteration = fields.TryGetValue("iteration", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
                var metrics = fields.Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Key, p => p.Value.GetDouble());
                if (metrics.TryGetValue("env_steps", out var s)) steps = s;
                switch (kind)
                {
                    case TrainingEventKind.Iteration: iterations.Add(new RunPoint(iteration, steps, metrics)); break;
                    case TrainingEventKind.WarmStart or TrainingEventKind.Evaluation: evaluations.Add(new RunPoint(iteration, steps, metrics)); break;
                }
            }
        }
        var summaryPath = Path.Combine(folder, "summary.json");
        Dictionary<string, JsonElement>? summary = null;
        if (File.Exists(summaryPath))
        {
            try
            {
                summary = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(summaryPath));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{summaryPath} is not valid JSON ({e.Message}); delete it and run the cell again.", e);
            }
        }
        return new RunHistory(folder, iterations, evaluations, summary);
    }
}
