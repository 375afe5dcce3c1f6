using GiGpoNet.Environments;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests;

/// <summary>Demonstrations under exploration noise end cleanly wherever the noise leads, in every built-in environment.</summary>
public sealed class ExpertDemonstrationTests
{
    private static readonly RolloutOptions Rollout = new() { RequireThinkTags = false, HistoryLength = 1 };

    private static IEnvironmentFactory Factory(string name) => name switch
    {
        "household" => new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () => new HouseholdEnvironment()),
        "household-small" => new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () =>
            new HouseholdEnvironment(new HouseholdOptions { RoomSize = HouseholdRoomSize.Small })),
        "shop" => new DelegateEnvironmentFactory(ShopEnvironment.Description, () => new ShopEnvironment()),
        "sokoban" => new DelegateEnvironmentFactory(SokobanEnvironment.Description, () => new SokobanEnvironment()),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Test]
    public async Task The_sokoban_warm_start_of_the_reported_command_collects_its_demonstrations()
    {
        // gigpo train --Training:Environment=sokoban --Training:Seed=1 with appsettings.json's warm start (240 episodes, exploration 0.2)
        // stopped with "The board cannot be solved from here (the box is stuck)."
        var pairs = await ExpertDemonstrations.CollectAsync(Factory("sokoban"), new AgentPromptBuilder(Rollout), new SimpleEpisodeMemoryFactory(),
            Rollout, episodes: 240, seed: 1 * 31 + 5, CancellationToken.None, explorationRate: 0.2);
        Assert.That(pairs, Is.Not.Empty);
    }

    [TestCase("household", 0.2)]
    [TestCase("household-small", 0.5)]
    [TestCase("shop", 0.5)]
    [TestCase("sokoban", 0.5)]
    [TestCase("sokoban", 0.9)]
    public async Task Every_expert_survives_heavy_exploration_noise_across_many_seeds(string environment, double explorationRate)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            var pairs = await ExpertDemonstrations.CollectAsync(Factory(environment), new AgentPromptBuilder(Rollout), new SimpleEpisodeMemoryFactory(),
                Rollout, episodes: 10, seed: seed, CancellationToken.None, explorationRate: explorationRate);
            Assert.That(pairs, Is.Not.Empty, $"seed {seed}");
        }
    }

    [Test]
    public async Task The_sokoban_expert_has_no_action_in_a_dead_state()
    {
        var environment = new SokobanEnvironment();
        var observation = await environment.ResetAsync(new EnvironmentReset(3, DatasetSplit.Train));
        var noise = new Random(7);
        for (var step = 0; step < 200 && environment.ExpertAction() is not null; step++)
        {
            var outcome = await environment.StepAsync(observation.AdmissibleActions![noise.Next(observation.AdmissibleActions.Count)]);
            if (outcome.Done) observation = await environment.ResetAsync(new EnvironmentReset(3 + step, DatasetSplit.Train));
            else observation = outcome.Observation;
        }
        Assert.That(environment.ExpertAction(), Is.Null, "random pushes reach a state no plan solves, where the expert says so instead of throwing");
    }
}
