using System.Text.Json.Nodes;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>
/// What two runs' effective configurations must share to be the same computation: for a resume every setting but those that extend or
/// observe a run, for a reused ablation cell every setting but where it wrote and how it computed the same result; a setting introduced
/// later counts as its default in an older file, a value earlier versions derived is left out.
/// </summary>
public sealed class RunFingerprintTests
{
    private static string Configuration(Action<JsonObject>? change = null)
    {
        var document = new JsonObject
        {
            ["Training"] = new JsonObject { ["Algorithm"] = "gigpo", ["Iterations"] = 20, ["Seed"] = 1, ["OutputDirectory"] = "runs/a", ["KeepCheckpoints"] = 0 },
            ["Policy"] = new JsonObject { ["Layers"] = 2, ["TieWordEmbeddings"] = false, ["Lora"] = new JsonObject { ["Rank"] = 0 } },
            ["Update"] = new JsonObject { ["LearningRate"] = 0.0001, ["LengthBucketing"] = false },
            ["Backend"] = new JsonObject { ["Threads"] = 0 },
            ["WarmStart"] = new JsonObject { ["Episodes"] = 64, ["Enabled"] = null },
        };
        change?.Invoke(document);
        return document.ToJsonString();
    }

    private static IReadOnlyList<(string Key, string? Mine, string? Theirs)> Differences(string a, string b, RunFingerprint.Purpose purpose) =>
        RunFingerprint.Of(a, purpose).Differences(RunFingerprint.Of(b, purpose));

    [Test]
    public void A_resume_may_change_what_extends_or_observes_a_run_and_nothing_else()
    {
        var extended = Configuration(d =>
        {
            d["Training"]!["Iterations"] = 40;
            d["Training"]!["OutputDirectory"] = "runs/b";
            d["Training"]!["KeepCheckpoints"] = 3;
            d["Backend"]!["Threads"] = 1;
        });
        Assert.That(Differences(Configuration(), extended, RunFingerprint.Purpose.Resume), Is.Empty);
        var changed = Configuration(d => { d["Update"]!["LearningRate"] = 0.001; d["Update"]!["LengthBucketing"] = true; });
        Assert.That(Differences(Configuration(), changed, RunFingerprint.Purpose.Resume).Select(d => $"{d.Key} {d.Mine} {d.Theirs}"),
            Is.EqualTo(new[] { "Update:LearningRate 0.0001 0.001", "Update:LengthBucketing false true" }));
    }

    [Test]
    public void A_reused_cell_must_have_the_same_length_but_may_differ_in_threads_and_micro_batch_order()
    {
        var same = Configuration(d => { d["Backend"]!["Threads"] = 1; d["Update"]!["LengthBucketing"] = true; d["Training"]!["OutputDirectory"] = "elsewhere"; });
        Assert.That(Differences(Configuration(), same, RunFingerprint.Purpose.Reuse), Is.Empty);
        var longer = Configuration(d => d["Training"]!["Iterations"] = 40);
        Assert.That(Differences(Configuration(), longer, RunFingerprint.Purpose.Reuse).Single().Key, Is.EqualTo("Training:Iterations"));
    }

    [Test]
    public void An_older_file_without_a_later_setting_matches_that_settings_default_and_not_another_value()
    {
        var older = Configuration(d =>
        {
            ((JsonObject)d["Policy"]!).Remove("TieWordEmbeddings");
            ((JsonObject)d["Training"]!).Remove("KeepCheckpoints");
            ((JsonObject)d["WarmStart"]!).Remove("Enabled");
            d["Policy"]!["Lora"]!["Enabled"] = false; // a derived value earlier versions wrote
        });
        foreach (var purpose in new[] { RunFingerprint.Purpose.Resume, RunFingerprint.Purpose.Reuse })
        {
            Assert.That(Differences(older, Configuration(), purpose), Is.Empty, purpose.ToString());
            Assert.That(Differences(older, Configuration(d => d["Policy"]!["TieWordEmbeddings"] = true), purpose).Single().Key, Is.EqualTo("Policy:TieWordEmbeddings"));
        }
    }
}
