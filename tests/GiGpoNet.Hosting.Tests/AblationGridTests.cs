using GiGpoNet.Experiments.Ablations;

namespace GiGpoNet.Hosting.Tests;

/// <summary>Grid files: parsing, the cells they make, and the errors a wrong grid gets.</summary>
public sealed class AblationGridTests : CliTestBase
{
    private string Write(string json)
    {
        var path = Path.Combine(Folder, "grid.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Test]
    public void Cells_are_the_product_of_the_axes_and_the_seeds_with_later_settings_winning()
    {
        var grid = AblationGrid.Load(Write("""
            {
              "name": "study",
              "base": { "Training:Iterations": 3, "Algorithms:gigpo:Gamma": 0.9 },
              "axes": [
                { "name": "algorithm", "values": [
                    { "label": "GiGPO w/o std", "set": { "Training:Algorithm": "gigpo", "Algorithms:gigpo:Mode": "mean_norm" } },
                    { "label": "GRPO", "set": { "Training:Algorithm": "grpo" } } ] },
                { "name": "gamma", "key": "Algorithms:gigpo:Gamma", "values": [0.5, 1] }
              ],
              "seeds": [7, 8, 9]
            }
            """));
        var cells = grid.Cells();
        Assert.That(cells, Has.Count.EqualTo(2 * 2 * 3));
        Assert.That(cells.Select(c => c.Id).Distinct().Count(), Is.EqualTo(cells.Count));
        var first = cells[0];
        Assert.That(first.Id, Is.EqualTo("gigpo_w_o_std__0.5__seed7"));
        Assert.That(first.Settings["Training:Iterations"], Is.EqualTo("3"));
        Assert.That(first.Settings["Algorithms:gigpo:Gamma"], Is.EqualTo("0.5"), "the axis overrides the base");
        Assert.That(first.Settings["Algorithms:gigpo:Mode"], Is.EqualTo("mean_norm"));
        Assert.That(first.Settings["Training:Seed"], Is.EqualTo("7"));
        Assert.That(cells[^1].Labels, Is.EqualTo(new Dictionary<string, string> { ["algorithm"] = "GRPO", ["gamma"] = "1" }));
        Assert.That(cells[^1].Settings.ContainsKey("Algorithms:gigpo:Mode"), Is.False);
    }

    [TestCase("""{ "axes": [], "seeds": [] }""", "'seeds' must be a non-empty array")]
    [TestCase("""{ "axes": [ { "name": "w", "values": [0, 1] } ], "seeds": [1] }""", "axis 'w' lists plain values, so it needs a \"key\"")]
    [TestCase("""{ "axes": [], "seeds": [1], "sedes": [2] }""", "unknown field 'sedes'")]
    [TestCase("""{ "base": { "Iterations": 3 }, "axes": [], "seeds": [1] }""", "'Iterations' is not a configuration key")]
    [TestCase("""{ "base": { "Training:Seed": 3 }, "axes": [], "seeds": [1] }""", "'Training:Seed' is set by the grid itself")]
    [TestCase("""{ "axes": [ { "name": "a", "key": "Training:Algorithm", "values": ["grpo", "GRPO"] } ], "seeds": [1] }""", "two values with the same label")]
    [TestCase("""{ "axes": [], "seeds": [1], }, """, "is not valid JSON")]
    [TestCase("""{ "base": { "Training:Iterations": 3, "training:iterations": 4 }, "axes": [], "seeds": [1] }""", "'base.training:iterations' is given twice")]
    [TestCase("""{ "axes": [], "seeds": [1], "seeds": [2] }""", "'seeds' is given twice")]
    public void A_wrong_grid_is_refused_with_what_to_fix(string json, string expected)
    {
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => AblationGrid.Load(Write(json)));
        Assert.That(error!.Message, Does.Contain(expected));
    }

    [Test]
    public void Labels_in_any_script_name_distinct_folders_and_a_label_too_long_for_a_folder_is_refused_at_load()
    {
        var grid = AblationGrid.Load(Write("""
            { "axes": [ { "name": "v", "key": "Training:Algorithm", "values": [
                { "label": "ÄÖÜ", "set": { "Training:Algorithm": "gigpo" } }, { "label": "日本", "set": { "Training:Algorithm": "grpo" } },
                { "label": "AOU", "set": { "Training:Algorithm": "rloo" } } ] } ], "seeds": [1] }
            """));
        Assert.That(grid.Cells().Select(c => c.Id), Is.EqualTo(new[] { "äöü__seed1", "日本__seed1", "aou__seed1" }));

        var error = Assert.Throws<GiGpoNetConfigurationException>(() => AblationGrid.Load(Write($$"""
            { "axes": [ { "name": "v", "values": [ { "label": "{{new string('a', 5000)}}", "set": { "Training:Algorithm": "gigpo" } } ] } ], "seeds": [1] }
            """)))!;
        Assert.That(error.Message, Does.Contain("too long to name a cell's folder").And.Contain("5000 bytes"));
        error = Assert.Throws<GiGpoNetConfigurationException>(() => AblationGrid.Load(Write($$"""
            { "axes": [ {{string.Join(", ", Enumerable.Range(0, 4).Select(i =>
                $$"""{ "name": "a{{i}}", "key": "Training:Seed{{i}}", "values": ["{{new string('b', 90)}}"] }"""))}} ],
              "seeds": [1] }
            """)))!;
        Assert.That(error.Message, Does.Contain("more than the 255 a file system allows"));
    }

    [Test]
    public void Seed_statistics_use_the_sample_standard_deviation_and_skip_missing_values()
    {
        var statistic = SeedStatistic.Of([0.2, 0.4, double.NaN, 0.6]);
        Assert.That(statistic.Count, Is.EqualTo(3));
        Assert.That(statistic.Mean, Is.EqualTo(0.4).Within(1e-12));
        Assert.That(statistic.Std, Is.EqualTo(0.2).Within(1e-12));
        Assert.That(statistic.Percent(), Is.EqualTo("40.0 ± 20.0"));
        Assert.That(SeedStatistic.Of([0.5]).Std, Is.NaN, "one seed has no spread to show");
        Assert.That(SeedStatistic.Of([0.5]).Percent(), Is.EqualTo("50.0 (1 seed)"));
        Assert.That(SeedStatistic.Of([]).Percent(), Is.EqualTo("–"));
    }
}
