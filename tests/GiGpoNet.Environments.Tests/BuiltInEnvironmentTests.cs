using GiGpoNet.Environments.Diagnostics;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;
using GiGpoNet.Environments.Tests.Search;

namespace GiGpoNet.Environments.Tests;

public sealed class BuiltInEnvironmentTests
{
    public static IEnumerable<TestCaseData> Environments()
    {
        yield return new TestCaseData((Func<IEnvironment>)(() => new HouseholdEnvironment()), HouseholdEnvironment.Description).SetArgDisplayNames("household");
        yield return new TestCaseData((Func<IEnvironment>)(() => new HouseholdEnvironment(new HouseholdOptions { RoomSize = HouseholdRoomSize.Small })),
            HouseholdEnvironment.Description)
            .SetArgDisplayNames("household-small");
        yield return new TestCaseData((Func<IEnvironment>)(() => new ShopEnvironment()), ShopEnvironment.Description).SetArgDisplayNames("shop");
        yield return new TestCaseData((Func<IEnvironment>)(() => new ShopEnvironment(new ShopOptions { Search = ShopSearch.Instruction })), ShopEnvironment.Description)
            .SetArgDisplayNames("shop-instruction-search");
        yield return new TestCaseData((Func<IEnvironment>)(() => new SokobanEnvironment()), SokobanEnvironment.Description).SetArgDisplayNames("sokoban");
        yield return new TestCaseData((Func<IEnvironment>)(() => SearchFixture.Create()), SearchEnvironment.Description).SetArgDisplayNames("search");
    }

    private static async Task<(bool Won, int Steps, List<string> Observations, string TaskType)> RunExpert(IEnvironment environment, long seed, int maxSteps)
    {
        var observation = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Train));
        var seen = new List<string> { observation.Text };
        for (var t = 0; t < maxSteps; t++)
        {
            var action = ((IExpertEnvironment)environment).ExpertAction() ?? throw new AssertionException($"the expert gave up on its own path (seed {seed}, step {t})");
            if (observation.AdmissibleActions is { } admissible && !action.StartsWith("search[", StringComparison.Ordinal))
                Assert.That(admissible, Does.Contain(action), $"the expert's action must be admissible (seed {seed}, step {t})");
            var step = await environment.StepAsync(action);
            seen.Add(step.Observation.Text);
            observation = step.Observation;
            if (step.Done) return (step.Won, t + 1, seen, observation.TaskType);
        }
        return (false, maxSteps, seen, observation.TaskType);
    }

    [TestCaseSource(nameof(Environments))]
    public async Task The_expert_solves_every_task_within_the_step_limit(Func<IEnvironment> create, EnvironmentDescription description)
    {
        var byType = new Dictionary<string, (int Solved, int Total)>();
        for (var seed = 0; seed < 300; seed++)
        {
            await using var environment = create();
            var (won, _, _, taskType) = await RunExpert(environment, seed, description.DefaultMaxSteps);
            var (solved, total) = byType.GetValueOrDefault(taskType);
            byType[taskType] = (solved + (won ? 1 : 0), total + 1);
        }
        Assert.That(byType.Keys, Is.EquivalentTo(description.TaskTypes), "every task type occurs in 300 seeds");
        foreach (var (type, (solved, total)) in byType)
            Assert.That(solved, Is.EqualTo(total), $"{type}: {solved}/{total}");
    }

    [TestCaseSource(nameof(Environments))]
    public async Task The_same_seed_gives_the_same_episode(Func<IEnvironment> create, EnvironmentDescription description)
    {
        for (var seed = 0; seed < 20; seed++)
        {
            await using var a = create();
            await using var b = create();
            var first = await RunExpert(a, seed, description.DefaultMaxSteps);
            var second = await RunExpert(b, seed, description.DefaultMaxSteps);
            Assert.That(second.Observations, Is.EqualTo(first.Observations));
        }
    }

    [TestCaseSource(nameof(Environments))]
    public async Task Group_members_share_the_initial_state_and_splits_do_not_share_tasks(Func<IEnvironment> create, EnvironmentDescription description)
    {
        var differentAcrossSplits = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            await using var a = create();
            await using var b = create();
            await using var c = create();
            var reset = new EnvironmentReset(seed, DatasetSplit.Train);
            var oa = await a.ResetAsync(reset);
            var ob = await b.ResetAsync(reset);
            Assert.That(ob.Text, Is.EqualTo(oa.Text));
            Assert.That(ob.Task, Is.EqualTo(oa.Task));
            Assert.That(ob.AdmissibleActions, Is.EqualTo(oa.AdmissibleActions));
            var validation = await c.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Validation));
            if (validation.Text != oa.Text || validation.Task != oa.Task) differentAcrossSplits++;
        }
        Assert.That(differentAcrossSplits, Is.GreaterThanOrEqualTo(27));
    }

    [TestCaseSource(nameof(Environments))]
    public async Task Under_a_random_policy_at_least_half_the_steps_share_their_state_within_the_group(Func<IEnvironment> create, EnvironmentDescription description)
    {
        var report = await RandomAdmissibleAgent.RunAsync(create, groups: 8, groupSize: 8, description.DefaultMaxSteps, seed: 5);
        TestContext.Out.WriteLine($"{description.Name}: recurring {report.RecurringFraction:P1}, {report.StepsPerSecond:F0} steps/s, random success {report.SuccessRate:P1}");
        Assert.That(report.RecurringFraction, Is.GreaterThanOrEqualTo(0.5));
    }

    [Test]
    public async Task Small_household_rooms_hold_fewer_receptacles_and_give_shorter_expert_episodes()
    {
        static int Receptacles(string introduction) => introduction.Split(" a ").Length - 2; // " a room", then one per receptacle
        var (small, standard) = (new List<(int Receptacles, int Steps)>(), new List<(int Receptacles, int Steps)>());
        for (var seed = 0; seed < 100; seed++)
        {
            foreach (var (options, into) in new[] { (new HouseholdOptions { RoomSize = HouseholdRoomSize.Small }, small), (new HouseholdOptions(), standard) })
            {
                await using var environment = new HouseholdEnvironment(options);
                var (won, steps, observations, _) = await RunExpert(environment, seed, 50);
                Assert.That(won, Is.True);
                into.Add((Receptacles(observations[0].Split("\n\n")[1]), steps));
            }
        }
        Assert.That(small.Select(r => r.Receptacles), Is.All.InRange(7, 13));
        Assert.That(standard.Select(r => r.Receptacles), Is.All.InRange(13, 23));
        Assert.That(small.Average(r => r.Receptacles), Is.LessThan(0.6 * standard.Average(r => r.Receptacles)));
        Assert.That(small.Average(r => r.Steps), Is.LessThan(0.75 * standard.Average(r => r.Steps)));
    }

    [Test]
    public async Task Household_speaks_like_ALFWorld()
    {
        await using var environment = new HouseholdEnvironment();
        var first = await environment.ResetAsync(new EnvironmentReset(3, DatasetSplit.Train));
        Assert.That(first.Text, Does.Contain("You are in the middle of a room. Looking quickly around you, you see a cabinet 1,"));
        Assert.That(first.Text, Does.Contain("Your task is to: " + first.Task));
        var fridge = await environment.StepAsync("go to fridge 1");
        Assert.That(fridge.Observation.Text, Is.EqualTo("You arrive at fridge 1. The fridge 1 is closed."));
        var opened = await environment.StepAsync("open fridge 1");
        Assert.That(opened.Observation.Text, Does.StartWith("You open the fridge 1. The fridge 1 is open. In it, you see "));
        var nonsense = await environment.StepAsync("dance with the fridge");
        Assert.That(nonsense.Observation.Text, Is.EqualTo("Nothing happens."));
        Assert.That(nonsense.Reward, Is.EqualTo(0));
        Assert.That((await environment.StepAsync("inventory")).Observation.Text, Is.EqualTo("You are not carrying anything."));
    }

    [Test]
    public async Task Shop_has_a_thousand_products_and_scores_a_wrong_purchase_below_one()
    {
        Assert.That(ShopEnvironment.CatalogueSize, Is.GreaterThanOrEqualTo(1000));
        await using var environment = new ShopEnvironment();
        var start = await environment.ResetAsync(new EnvironmentReset(11, DatasetSplit.Train));
        Assert.That(start.Task, Does.StartWith("i need a ").And.Contain("price lower than"));
        var results = await environment.StepAsync("search[" + start.Task + "]");
        Assert.That(results.Observation.Text, Does.StartWith("Back to Search [SEP] Page 1 (Total results: "));
        var firstItem = results.Observation.AdmissibleActions!.First(a => a.StartsWith("click[b0", StringComparison.Ordinal));
        await environment.StepAsync(firstItem);
        var bought = await environment.StepAsync("click[buy now]");
        Assert.That(bought.Done, Is.True);
        Assert.That(bought.Score, Is.InRange(0.0, 1.0));
        Assert.That(bought.Reward, Is.EqualTo(bought.Won ? 10 : 0));
    }

    [Test]
    public async Task Shop_with_the_score_reward_pays_ten_times_the_score_of_a_partial_purchase()
    {
        // The same purchases under both rewards: Score pays 10 × score, Success only a score of 1; both report the same score.
        var partial = 0;
        for (var seed = 0; seed < 40; seed++)
        {
            var success = await BuyFirstResult(new ShopEnvironment(new ShopOptions { Search = ShopSearch.Instruction }), seed);
            var score = await BuyFirstResult(new ShopEnvironment(new ShopOptions { Search = ShopSearch.Instruction, Reward = ShopReward.Score }), seed);
            Assert.That(score.Score, Is.EqualTo(success.Score), $"seed {seed}");
            Assert.That(score.Reward, Is.EqualTo(10 * score.Score!.Value).Within(1e-12), $"seed {seed}");
            Assert.That(success.Reward, Is.EqualTo(success.Won ? 10 : 0), $"seed {seed}");
            if (!success.Won && score.Reward > 0) partial++;
        }
        Assert.That(partial, Is.GreaterThan(10), "most first results are partial matches, which only the score reward pays");
    }

    private static async Task<EnvironmentStep> BuyFirstResult(ShopEnvironment environment, int seed)
    {
        await using var _ = environment;
        var start = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Train));
        var results = await environment.StepAsync(start.AdmissibleActions![0]);
        await environment.StepAsync(results.Observation.AdmissibleActions!.First(a => a.StartsWith("click[b0", StringComparison.Ordinal)));
        return await environment.StepAsync("click[buy now]");
    }

    [Test]
    public async Task The_household_expert_gives_up_instead_of_failing_where_the_object_lies_only_in_a_goal_receptacle()
    {
        // Heat tasks: the object is taken, then put unheated into a goal-type receptacle (as a random step may), and every other
        // receptacle is visited. The expert never searches goal-type receptacles, so unless the room holds another such object no plan
        // is left: it answers null (a dead end that ends a demonstration), where it used to throw. Before that, it names an admissible
        // command at every step.
        var deadEnds = 0;
        for (var seed = 0; seed < 120; seed++)
        {
            await using var environment = new HouseholdEnvironment(new HouseholdOptions { RoomSize = HouseholdRoomSize.Small });
            var observation = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Train));
            if (observation.TaskType != "pick_heat_then_place_in_recep") continue;
            async Task Do(string action)
            {
                Assert.That(observation.AdmissibleActions, Does.Contain(action), $"seed {seed}");
                observation = (await environment.StepAsync(action)).Observation;
            }
            string planned;
            do await Do(planned = environment.ExpertAction()!); while (!planned.StartsWith("take ", StringComparison.Ordinal));

            var goalType = observation.Task.Split(" in ")[^1].TrimEnd('.');
            var goal = observation.AdmissibleActions!.First(a => a.StartsWith("go to " + goalType + " ", StringComparison.Ordinal))[6..];
            await Do("go to " + goal);
            if (observation.AdmissibleActions!.Contains("open " + goal)) await Do("open " + goal);
            await Do(observation.AdmissibleActions!.First(a => a.StartsWith("put ", StringComparison.Ordinal)));
            var others = observation.AdmissibleActions!.Where(a => a.StartsWith("go to ", StringComparison.Ordinal) && !a[6..].StartsWith(goalType + " "))
                .Select(a => a[6..]).ToList();
            foreach (var other in others)
            {
                Assert.That(environment.ExpertAction(), Is.Not.Null.And.AnyOf(observation.AdmissibleActions!.ToArray()), $"seed {seed}: receptacles are left to search");
                await Do("go to " + other);
                if (observation.AdmissibleActions!.Contains("open " + other)) await Do("open " + other);
            }
            if (environment.ExpertAction() is null) deadEnds++;
        }
        Assert.That(deadEnds, Is.GreaterThan(0), "some rooms hold one object of the type sought");
    }

    [Test]
    public async Task Sokoban_uses_gym_sokoban_rewards()
    {
        await using var environment = new SokobanEnvironment();
        var start = await environment.ResetAsync(new EnvironmentReset(0, DatasetSplit.Train));
        Assert.That(start.Text.Split('\n'), Has.Length.EqualTo(6));
        Assert.That(start.Text, Does.Contain("X").And.Contain("O").And.Contain("P"));
        double total = 0;
        EnvironmentStep step;
        var moves = 0;
        do
        {
            step = await environment.StepAsync(environment.ExpertAction() ?? throw new AssertionException("the expert gave up on its own path"));
            total += step.Reward;
            moves++;
        } while (!step.Done);
        Assert.That(step.Won, Is.True);
        Assert.That(total, Is.EqualTo(-0.1 * moves + 11).Within(1e-9), "−0.1 a step, +1 on target, +10 solved");
        Assert.That(step.Observation.Text, Does.Contain("√"));
    }
}
