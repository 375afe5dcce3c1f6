using GiGpoNet.Advantages;
using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Data;

namespace GiGpoNet.Algorithms.Tests.GiGpo;

/// <summary>Properties that must hold on any batch, checked on random ones.</summary>
public sealed class GiGpoPropertyTests
{
    private static IEnumerable<int> Seeds => Enumerable.Range(1, 25);

    internal static List<StepRow> RandomRows(Random random, bool uniqueAnchors)
    {
        var rows = new List<StepRow>();
        var states = Enumerable.Range(0, random.Next(2, 6)).Select(i => $"state {i}").ToArray();
        var unique = 0;
        for (var g = 0; g < random.Next(1, 5); g++)
        {
            for (var t = 0; t < random.Next(1, 6); t++)
            {
                var length = random.Next(1, 10);
                var won = random.Next(2) == 0;
                for (var k = 0; k < length; k++)
                {
                    rows.Add(new StepRow
                    {
                        GroupId = $"g{g}", TrajectoryId = $"g{g}t{t}", StepIndex = k,
                        Anchor = uniqueAnchors ? $"unique {unique++}" : states[random.Next(states.Length)],
                        Reward = (won && k == length - 1 ? 10 : 0) + (random.Next(4) == 0 ? -0.5 : 0),
                        ActionValid = random.Next(5) > 0,
                    });
                }
                for (var k = 0; k < random.Next(0, 3); k++)
                    rows.Add(new StepRow { GroupId = $"g{g}", TrajectoryId = $"g{g}t{t}", StepIndex = length + k, Anchor = "after done", Reward = 1, Active = false });
            }
        }
        return rows;
    }

    [TestCaseSource(nameof(Seeds))]
    public void With_no_repeated_anchor_GiGPO_equals_episode_level_GRPO(int seed)
    {
        var batch = RolloutBatch.Create(RandomRows(new Random(seed), uniqueAnchors: true));
        foreach (var (mode, byStd) in new[] { (AdvantageNormalization.MeanNorm, false), (AdvantageNormalization.MeanStdNorm, true) })
        {
            foreach (var scope in Enum.GetValues<GroupStatisticsScope>())
            {
                var gigpo = new GiGpoAdvantageEstimator(new GiGpoOptions { Mode = mode, StatisticsScope = scope }).Estimate(batch);
                var grpo = new GrpoAdvantageEstimator(new GrpoOptions { NormalizeByStd = byStd, StatisticsScope = scope }).Estimate(batch);
                Assert.That(gigpo.RowAdvantages, Is.EqualTo(grpo.RowAdvantages).Within(1e-12), $"{mode} {scope}");
                Assert.That(gigpo.Metrics["step_group_singleton_fraction"], Is.EqualTo(1));
            }
        }
    }

    [TestCaseSource(nameof(Seeds))]
    public void Row_order_does_not_change_any_output(int seed)
    {
        var random = new Random(seed);
        var rows = RandomRows(random, uniqueAnchors: false);
        var shuffled = rows.OrderBy(_ => random.Next()).ToList();
        var options = new GiGpoOptions { Mode = seed % 2 == 0 ? AdvantageNormalization.MeanNorm : AdvantageNormalization.MeanStdNorm };
        var estimator = new GiGpoAdvantageEstimator(options);
        var expected = estimator.Estimate(RolloutBatch.Create(rows));
        var actual = estimator.Estimate(RolloutBatch.Create(shuffled));
        for (var i = 0; i < rows.Count; i++)
        {
            var j = shuffled.IndexOf(rows[i]);
            Assert.That(actual.RowAdvantage(j), Is.EqualTo(expected.RowAdvantage(i)).Within(1e-12));
            foreach (var column in expected.Columns)
                Assert.That(actual.Column(column.Name)![j], Is.EqualTo(column.Values[i]).Within(1e-12), column.Name);
        }
        // Counts and shares of counts to the bit; sums over rows, like the rows themselves, to the last bits of their sums.
        Assert.That(actual.Metrics.Keys, Is.EquivalentTo(expected.Metrics.Keys));
        string[] sumsOverRows = ["episode_adv_abs_mean", "step_adv_abs_mean", "step_adv_within_trajectory_share", "episode_step_adv_corr"];
        foreach (var (name, value) in expected.Metrics)
            Assert.That(actual.Metrics[name], sumsOverRows.Contains(name) ? Is.EqualTo(value).Within(1e-12) : Is.EqualTo(value), name);
    }

    [TestCaseSource(nameof(Seeds))]
    public void Step_advantages_sum_to_zero_in_every_step_group_with_mean_norm(int seed)
    {
        var batch = RolloutBatch.Create(RandomRows(new Random(seed), uniqueAnchors: false));
        var result = new GiGpoAdvantageEstimator(new GiGpoOptions()).Estimate(batch);
        var sums = new Dictionary<(int, string), double>();
        for (var row = 0; row < batch.RowCount; row++)
        {
            if (!batch.Active[row]) continue;
            var key = (batch.GroupIndex[row], batch.Anchors[row]!);
            sums[key] = sums.GetValueOrDefault(key) + result.Column("step_adv")![row];
        }
        Assert.That(sums.Values, Is.All.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void Similarity_grouping_with_identical_texts_matches_exact_grouping()
    {
        var batch = RolloutBatch.Create(RandomRows(new Random(3), uniqueAnchors: false));
        var exact = new GiGpoAdvantageEstimator(new GiGpoOptions()).Estimate(batch);
        // The random states differ in one character of short strings: ratio well below 0.99.
        var similar = new GiGpoAdvantageEstimator(new GiGpoOptions { EnableSimilarity = true, SimilarityThreshold = 0.99 }).Estimate(batch);
        Assert.That(similar.RowAdvantages, Is.EqualTo(exact.RowAdvantages).Within(1e-12));
    }
}
