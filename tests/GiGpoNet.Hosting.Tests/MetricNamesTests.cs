using System.Text.Json;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests;

/// <summary>The metric catalogue names every metric a run writes, so reports, charts and hosts can read them by name.</summary>
public sealed class MetricNamesTests : CliTestBase
{
    [TestCase("gigpo")]
    [TestCase("ppo")]
    public void Every_metric_a_run_writes_is_in_the_catalogue(string algorithm)
    {
        var run = Path.Combine(Folder, algorithm);
        var (code, _, stderr) = Run([.. TinyTraining.Settings(algorithm, run), "--Training:CheckpointInterval=1"]);
        Assert.That(code, Is.EqualTo(0), stderr);
        var written = File.ReadLines(Path.Combine(run, "metrics.jsonl")).SelectMany(l => JsonDocument.Parse(l).RootElement.EnumerateObject())
            .Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Name)
            .Concat(JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json"))).RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Number).Select(p => p.Name))
            .Distinct().ToList();
        Assert.That(written, Is.Not.Empty);
        Assert.That(written.Where(n => !MetricNames.IsKnown(n)), Is.Empty, "metrics missing from MetricNames");
        Assert.That(RunRecorder.IterationColumns.Where(c => !MetricNames.IsKnown(c)), Is.Empty, "metrics.csv columns missing from MetricNames");
        Assert.That(MetricNames.All, Is.Unique);
    }
}
