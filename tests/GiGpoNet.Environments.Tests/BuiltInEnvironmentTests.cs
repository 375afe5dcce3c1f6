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
        yield return new TestCaseData((Func<IEnvironment>)(() => new ShopEnvironment(new ShopOptions { Search = ShopSearch.Instruction, Titles = ShopTitles.Full })),
            ShopEnvironment.Description).SetArgDisplayNames("shop-full-titles");
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
    public async Task Full_shop_titles_name_every_attribute_and_leave_the_search_results_unchanged()
    {
        foreach (var product in ShopCatalogue.Default.Products.Take(200))
        {
            Assert.That(product.Attributes.Where(a => !product.Title.Contains(a, StringComparison.Ordinal)).Count(),
                Is.EqualTo(product.Attributes.Count - 2), "a short title names two attributes");
            Assert.That(product.Attributes, Has.All.Matches<string>(a => product.FullTitle.Contains(a, StringComparison.Ordinal)));
        }
        for (var seed = 0; seed < 20; seed++)
        {
            var (shortIds, shortTitles) = await FirstResultPage(ShopTitles.Short, seed);
            var (fullIds, fullTitles) = await FirstResultPage(ShopTitles.Full, seed);
            Assert.That(fullIds, Is.EqualTo(shortIds), $"seed {seed}: the titles shown do not change what search finds");
            Assert.That(fullTitles.Zip(shortTitles).Count(p => p.First.Length > p.Second.Length), Is.GreaterThan(0), $"seed {seed}");
        }
    }

    private static async Task<(string[] Ids, string[] Titles)> FirstResultPage(ShopTitles titles, int seed)
    {
        await using var environment = new ShopEnvironment(new ShopOptions { Search = ShopSearch.Instruction, Titles = titles });
        var start = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Train));
        var parts = (await environment.StepAsync(start.AdmissibleActions![0])).Observation.Text.Split(" [SEP] ");
        var first = Array.FindIndex(parts, p => p.StartsWith("B0", StringComparison.Ordinal));
        var items = parts[first..].Chunk(3).ToArray(); // id, title, price
        return ([.. items.Select(i => i[0])], [.. items.Select(i => i[1])]);
    }

    [Test]
    public void With_full_titles_the_shop_experts_pick_is_the_first_result_that_visibly_fits()
    {
        // The expert opens the first result that can score 1. Whether a result can shows only in part: the category, the price and
        // the attributes its title names (the options on offer show on its item page). Measured over 500 tasks: how often the
        // expert's pick is the first result whose shown title and price fit the instruction.
        var catalogue = ShopCatalogue.Default;
        var agree = new Dictionary<ShopTitles, int> { [ShopTitles.Short] = 0, [ShopTitles.Full] = 0 };
        const int tasks = 500;
        for (var seed = 0; seed < tasks; seed++)
        {
            var goal = ShopGoal.From(catalogue, new Random(TaskSeeds.For(seed, DatasetSplit.Train)));
            var results = catalogue.Search(goal.Instruction(), 50);
            var pick = results.FirstOrDefault(goal.CanScoreOne);
            foreach (var titles in agree.Keys.ToArray())
            {
                var visible = results.FirstOrDefault(p => p.Price <= goal.PriceLimit
                    && goal.Attributes.Append(goal.Target.Category).All((titles == ShopTitles.Full ? p.FullTitle : p.Title).Contains));
                if (pick is not null && visible == pick) agree[titles]++;
            }
        }
        TestContext.Out.WriteLine($"the expert's pick is the first visibly fitting result: short titles {agree[ShopTitles.Short] * 100.0 / tasks:0.0}%, "
                                  + $"full titles {agree[ShopTitles.Full] * 100.0 / tasks:0.0}% of {tasks} tasks");
        // Measured: 31.2% with short titles, 69.8% with full ones. The rest is where the first visibly fitting result lacks an asked
        // option (colour, size), which shows only on its item page: the agent can still see it there and go back.
        Assert.That(agree[ShopTitles.Full], Is.GreaterThan(tasks * 6 / 10), "with full titles the expert's choice can mostly be read off the result page");
        Assert.That(agree[ShopTitles.Short], Is.LessThan(agree[ShopTitles.Full] - tasks / 4), "short titles hide a large part of it");
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
