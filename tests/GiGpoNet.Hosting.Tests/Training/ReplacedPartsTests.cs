using GiGpoNet.Hosting.Rollouts;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>Parts replaced with one call each, in a host written in code: a replay rollout source, and a learner of the user's own.</summary>
public sealed class ReplacedPartsTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "gigpo-parts-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static string StepRows() => Path.Combine(RepositoryFiles.Root, "samples", "data", "alfworld-like-steps.jsonl");

    private ServiceProvider Services(Action<IServiceCollection>? replace = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Training:RolloutSource"] = "replay", ["Training:Algorithm"] = "gigpo", ["Training:Iterations"] = "2", ["Training:EvaluationTasks"] = "2",
            ["Training:OutputDirectory"] = Path.Combine(_folder, "run"), ["WarmStart:Episodes"] = "0", ["Rollout:MaxSteps"] = "2",
        }).Build();
        var services = new ServiceCollection();
        replace?.Invoke(services);
        services.AddGiGpoNet(configuration).AddBuiltIns()
            .AddRolloutSource("replay", typeof(StepRowReplaySource), _ => new StepRowReplaySource(StepRows()));
        return services.BuildServiceProvider();
    }

    [Test]
    public void A_replay_without_token_ids_cannot_feed_the_torchsharp_learner_and_start_up_says_so()
    {
        using var services = Services();
        var error = Assert.Throws<GiGpoNetConfigurationException>(() => services.ValidateGiGpoNetConfiguration());
        Assert.That(error!.Message, Is.EqualTo(
            "Training:RolloutSource = replay does not provide token ids, which the learner 'torchsharp' trains on: choose a rollout source that records them, or register a " +
                "learner that does without."));
    }

    [Test]
    public async Task A_replayed_batch_trains_a_learner_of_the_users_own()
    {
        var learners = new FakeLearnerFactory();
        using var services = Services(s => s.AddSingleton<ILearnerFactory>(learners));
        services.ValidateGiGpoNetConfiguration();

        var events = new List<TrainingEvent>();
        await foreach (var e in services.GetRequiredService<AgentTrainer>().RunAsync()) events.Add(e);

        var learner = learners.Created.Single();
        Assert.That(learner.Calls.Count(c => c == "update"), Is.EqualTo(2), "one update per iteration, on the replayed rows");
        var iterations = events.Where(e => e.Kind == TrainingEventKind.Iteration).ToList();
        Assert.That(iterations, Has.Count.EqualTo(2));
        Assert.That(iterations[1].Metrics[MetricNames.EnvironmentSteps], Is.EqualTo(2 * 25), "25 active rows in the file, twice");
        Assert.That(iterations[0].Metrics["step_groups"], Is.GreaterThan(0), "GiGPO grouped the replayed anchors");
        Assert.That(iterations[0].Metrics["pg_loss"], Is.EqualTo(0.5), "the user's learner's metrics are recorded");
        Assert.That(File.ReadAllLines(Path.Combine(_folder, "run", "metrics.csv")), Has.Length.EqualTo(3));
        Assert.That(events.Last().Kind, Is.EqualTo(TrainingEventKind.Finished));
    }
}
