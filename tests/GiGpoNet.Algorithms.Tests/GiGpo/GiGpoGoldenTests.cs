using System.Text.Json;
using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

/// <summary>
/// Batches whose advantages an independent Python transcription of the reference computed (TestData/generate_golden.py),
/// including similarity grouping through CPython's own difflib.
/// </summary>
public sealed class GiGpoGoldenTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "gigpo_golden.jsonl");
        var n = 0;
        foreach (var line in File.ReadLines(path))
            yield return new TestCaseData(line).SetName($"Golden batch {n++}");
    }

    [TestCaseSource(nameof(Cases))]
    public void Matches_the_reference_transcription(string line)
    {
        using var document = JsonDocument.Parse(line);
        var config = document.RootElement.GetProperty("config");
        var options = new GiGpoOptions
        {
            Mode = config.GetProperty("mode").GetString() == "mean_norm" ? AdvantageNormalization.MeanNorm : AdvantageNormalization.MeanStdNorm,
            Gamma = config.GetProperty("gamma").GetDouble(),
            StepAdvantageWeight = config.GetProperty("step_advantage_w").GetDouble(),
            Epsilon = config.GetProperty("epsilon").GetDouble(),
            InvalidActionPenaltyCoef = config.GetProperty("invalid_action_penalty_coef").GetDouble(),
            StatisticsScope = config.GetProperty("compute_mean_std_cross_steps").GetBoolean() ? GroupStatisticsScope.StepRows : GroupStatisticsScope.Trajectories,
            EnableSimilarity = config.GetProperty("enable_similarity").GetBoolean(),
            SimilarityThreshold = config.GetProperty("similarity_thresh").GetDouble(),
        };

        var rows = document.RootElement.GetProperty("rows").EnumerateArray().ToList();
        var batch = RolloutBatch.Create(rows.Select(r => new StepRow
        {
            GroupId = r.GetProperty("group").GetString()!,
            TrajectoryId = r.GetProperty("traj").GetString()!,
            StepIndex = r.GetProperty("step").GetInt32(),
            Anchor = r.GetProperty("anchor").GetString(),
            Reward = r.GetProperty("reward").GetDouble(),
            Active = !r.TryGetProperty("active", out var a) || a.GetBoolean(),
            ActionValid = !r.TryGetProperty("action_valid", out var v) || v.GetBoolean(),
        }));

        var result = new GiGpoAdvantageEstimator(options).Estimate(batch);
        Assert.That(result.Metrics["step_groups"], Is.EqualTo(document.RootElement.GetProperty("step_groups").GetInt32()));
        for (var row = 0; row < rows.Count; row++)
        {
            var expected = rows[row].GetProperty("expected");
            if (expected.ValueKind == JsonValueKind.Null)
            {
                Assert.That(batch.Active[row], Is.False);
                Assert.That(result.RowAdvantage(row), Is.EqualTo(0));
                continue;
            }
            Assert.That(result.RowAdvantage(row), Is.EqualTo(expected.GetProperty("adv").GetDouble()).Within(1e-9), $"adv of row {row}");
            foreach (var column in new[] { "episode_adv", "step_adv", "step_return", "step_group_size" })
                Assert.That(result.Column(column)![row], Is.EqualTo(expected.GetProperty(column).GetDouble()).Within(1e-9), $"{column} of row {row}");
        }
    }
}
