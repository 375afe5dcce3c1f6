using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Data;
using GiGpoNet.Hosting.Training;
using GiGpoNet.MLNet;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace GiGpoNet.Hosting.Tests;

public sealed class DataViewTests
{
    [Test]
    public void A_rollout_batch_with_its_advantages_is_an_ml_net_data_view()
    {
        var batch = RolloutBatch.Create(
        [
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 0, Anchor = "S", Reward = 0 },
            new StepRow { GroupId = "g", TrajectoryId = "a", StepIndex = 1, Anchor = "X", Reward = 10 },
            new StepRow { GroupId = "g", TrajectoryId = "b", StepIndex = 0, Anchor = "S", Reward = 0 },
        ]);
        var advantages = new GiGpoAdvantageEstimator(new GiGpoOptions { InvalidActionPenaltyCoef = 0 }).Estimate(batch);
        var context = new MLContext(seed: 1);
        var view = RolloutDataViews.FromBatch(context, batch, advantages);
        var rows = context.Data.CreateEnumerable<StepRowRecord>(view, reuseRowObject: false).ToList();
        Assert.That(rows.Select(r => r.Trajectory), Is.EqualTo(new[] { "a", "a", "b" }));
        Assert.That(rows.Select(r => (double)r.Advantage), Is.EqualTo(advantages.RowAdvantages!).Within(1e-6));
        Assert.That(view.Schema.Select(c => c.Name), Does.Contain("Anchor").And.Contain("Reward"));
    }

    [Test]
    public void A_run_folder_s_metrics_load_as_a_data_view()
    {
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-dv-" + Guid.NewGuid().ToString("N"));
        using (var recorder = new RunRecorder(folder))
        {
            recorder.Record(new TrainingEvent("iteration", 1, new Dictionary<string, double> { ["success_rate"] = 0.25 }));
            recorder.Record(new TrainingEvent("iteration", 2, new Dictionary<string, double> { ["success_rate"] = 0.5 }));
        }
        var context = new MLContext();
        var view = RolloutDataViews.FromRunFolder(context, folder);
        var success = view.GetColumn<float>("success_rate").ToArray();
        Assert.That(success, Is.EqualTo(new[] { 0.25f, 0.5f }));
        Directory.Delete(folder, true);
    }
}
