using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Environments.Tests;

public sealed class RolloutLoopTests
{
    /// <summary>A corridor: observation "room k"; "forward" moves on, reaching room 3 wins (+10); "fail" throws (an environment fault).</summary>
    private sealed class CorridorEnvironment : IEnvironment
    {
        private int _room;

        public static readonly EnvironmentDescription Description = new("corridor", 6, ["corridor"], "You walk a corridor.");

        public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
        {
            _room = 0;
            return ValueTask.FromResult(Observe());
        }

        public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
        {
            if (action == "fail") throw new IOException("connection reset");
            if (action == "forward") _room++;
            var won = _room == 3;
            return ValueTask.FromResult(new EnvironmentStep(Observe(), won ? 10 : 0, won, won));
        }

        private EnvironmentObservation Observe() => new($"room {_room}", "reach room 3", "corridor", ["forward", "wait"]);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }


    /// <summary>Answers each prompt with a function of (call number, position in the batch, prompt).</summary>
    private sealed class ScriptedPolicy(Func<int, int, string, string> answer) : IPolicy
    {
        public int Calls { get; private set; }
        public List<IReadOnlyList<PolicyPrompt>> Prompts { get; } = [];

        public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
            CancellationToken cancellationToken = default)
        {
            Prompts.Add(prompts);
            var call = Calls++;
            IReadOnlyList<PolicyGeneration> result = [.. prompts.Select((p, i) =>
            {
                var text = answer(call, i, p.UserMessage);
                return new PolicyGeneration(text, [call, i], [.. text.Select(c => (int)c).Take(3)], [.. text.Take(3).Select(_ => -0.5f)], false);
            })];
            return ValueTask.FromResult(result);
        }
    }

    private static EnvironmentRolloutSource Source(RolloutOptions? options = null, Func<IEnvironment>? create = null)
    {
        options ??= new RolloutOptions();
        return new EnvironmentRolloutSource(new DelegateEnvironmentFactory(CorridorEnvironment.Description, create ?? (() => new CorridorEnvironment())), options,
            new AgentPromptBuilder(options), new TagActionParser(options), new SimpleEpisodeMemoryFactory());
    }

    /// <summary>The paper's prompt: think tags required, the admissible actions listed, decoding free.</summary>
    private static RolloutOptions PaperPrompt(int historyLength = 2) => new()
    {
        RequireThinkTags = true, ShowAdmissibleActions = true, ConstrainToAdmissibleActions = false, HistoryLength = historyLength,
    };

    private static string Act(string action) => $"<think>go</think><action>{action}</action>";

    [Test]
    public async Task Produces_exactly_the_expected_step_rows()
    {
        // Trajectory 0 walks forward three times and wins; trajectory 1 answers badly once, then waits until the step limit.
        // (After call 2 only trajectory 1 is left, at position 0.)
        var policy = new ScriptedPolicy((call, i, _) => call <= 2 && i == 0 ? Act("forward") : call == 0 ? "I will wait" : Act("wait"));
        var result = await Source().CollectAsync(policy, new RolloutRequest(1, 2, DatasetSplit.Train, Seed: 7));
        var batch = result.Batch;

        Assert.That(batch.RowCount, Is.EqualTo(3 + 6));
        Assert.That(batch.TrajectoryIds, Is.EqualTo(new[] { "7-g0-t0", "7-g0-t1" }));
        Assert.That(batch.GroupIds, Is.EqualTo(new[] { "7-g0" }));
        var first = batch.ActiveRowsOf(0).ToArray();
        Assert.That(first.Select(r => batch.Anchors[r]), Is.EqualTo(new[] { "room 0", "room 1", "room 2" }), "the anchor is the observation the action was taken in");
        Assert.That(first.Select(r => batch.Rewards[r]), Is.EqualTo(new double[] { 0, 0, 10 }));
        var second = batch.ActiveRowsOf(1).ToArray();
        Assert.That(second.Select(r => batch.ActionValid[r]), Is.EqualTo(new[] { false, true, true, true, true, true }));
        Assert.That(second.Select(r => batch.Anchors[r]), Is.All.EqualTo("room 0"));
        Assert.That(batch.ResponseTokenIds![first[0]].ToArray(), Is.EqualTo("<th".Select(c => (int)c).ToArray()), "token ids are kept as generated");
        Assert.That(batch.OldLogProbs![first[0]].ToArray(), Is.All.EqualTo(-0.5f));
        Assert.That(batch.PromptTokenIds![second[1]].ToArray(), Is.EqualTo(new[] { 1, 1 }));

        Assert.That(result.Episodes.Select(e => (e.Won, e.Length, e.Truncated, e.InvalidActions)),
            Is.EqualTo(new[] { (true, 3, false, 0), (false, 6, true, 1) }));
        Assert.That(policy.Prompts.Select(p => p.Count), Is.EqualTo(new[] { 2, 2, 2, 1, 1, 1 }), "finished trajectories leave the batch");
    }

    [Test]
    public async Task Constrained_decoding_offers_the_admissible_actions_in_the_answer_format_only_when_asked()
    {
        var policy = new ScriptedPolicy((_, _, _) => Act("forward"));
        await Source(new RolloutOptions { RequireThinkTags = false, ConstrainToAdmissibleActions = true }).CollectAsync(policy, new RolloutRequest(1, 1, DatasetSplit.Train, 1));
        Assert.That(policy.Prompts[0][0].AllowedResponses, Is.EqualTo(new[] { "<action>forward</action>", "<action>wait</action>" }));

        var free = new ScriptedPolicy((_, _, _) => Act("forward"));
        await Source(PaperPrompt()).CollectAsync(free, new RolloutRequest(1, 1, DatasetSplit.Train, 1));
        Assert.That(free.Prompts.SelectMany(p => p).Select(p => p.AllowedResponses), Is.All.Null);

        var shop = new ScriptedPolicy((_, _, _) => "<action>search[red shoes]</action>");
        var options = new RolloutOptions { RequireThinkTags = false, ConstrainToAdmissibleActions = true, MaxSteps = 1 };
        await new EnvironmentRolloutSource(new DelegateEnvironmentFactory(GiGpoNet.Environments.Shop.ShopEnvironment.Description, () =>
            new GiGpoNet.Environments.Shop.ShopEnvironment()),
            options, new AgentPromptBuilder(options), new TagActionParser(options), new SimpleEpisodeMemoryFactory()).CollectAsync(shop, new RolloutRequest(1, 1,
                DatasetSplit.Train, 1));
        Assert.That(shop.Prompts[0][0].AllowedResponses, Is.Null, "a turn offering search[<your query>] is decoded freely");

        var instructed = new ScriptedPolicy((_, _, _) => "<action>search[red shoes]</action>");
        var instructionSearch = new GiGpoNet.Environments.Shop.ShopOptions { Search = GiGpoNet.Environments.Shop.ShopSearch.Instruction };
        await new EnvironmentRolloutSource(new DelegateEnvironmentFactory(GiGpoNet.Environments.Shop.ShopEnvironment.Description, () =>
            new GiGpoNet.Environments.Shop.ShopEnvironment(instructionSearch)),
            options, new AgentPromptBuilder(options), new TagActionParser(options), new SimpleEpisodeMemoryFactory()).CollectAsync(instructed, new RolloutRequest(1, 1,
                DatasetSplit.Train, 1));
        Assert.That(instructed.Prompts[0][0].AllowedResponses, Has.Count.EqualTo(1).And.All.StartWith("<action>search[i need a "),
            "with Environments:shop:Search = Instruction the search turn is constrained to the instruction");
    }

    [Test]
    public async Task Prompts_carry_the_task_history_observation_and_admissible_actions()
    {
        var policy = new ScriptedPolicy((_, _, _) => Act("forward"));
        await Source(PaperPrompt(historyLength: 1)).CollectAsync(policy, new RolloutRequest(1, 1, DatasetSplit.Train, 1));
        var first = policy.Prompts[0][0].UserMessage;
        var third = policy.Prompts[2][0].UserMessage;
        Assert.That(first, Does.StartWith("You walk a corridor. Your task is to: reach room 3"));
        Assert.That(first, Does.Contain("Your current observation is: room 0").And.Contain("['forward', 'wait']").And.Contain("<think>"));
        Assert.That(third, Does.Contain("you have already taken 2 step(s)"));
        Assert.That(third, Does.Contain("[Observation 2: 'room 1', Action 2: 'forward']").And.Not.Contain("Observation 1:"));
        Assert.That(third, Does.Contain("You are now at step 3 and your current observation is: room 2"));
    }

    [Test]
    public async Task An_environment_that_fails_ends_its_trajectory_as_failed_and_truncated_and_the_others_go_on()
    {
        var policy = new ScriptedPolicy((call, i, _) => i == 1 && call == 1 ? Act("fail") : Act("forward"));
        var result = await Source().CollectAsync(policy, new RolloutRequest(1, 2, DatasetSplit.Train, 3));
        Assert.That(result.Episodes[0].Won, Is.True);
        Assert.That(result.Episodes[1], Has.Property("Won").False.And.Property("Truncated").True.And.Property("Length").EqualTo(1));
        Assert.That(result.Episodes[1].Failure, Does.Contain("connection reset"));
        Assert.That(result.Batch.ActiveRowsOf(1).Length, Is.EqualTo(1));
    }

    [TestCase("")]
    [TestCase("no tags at all")]
    [TestCase("<action>forward")]
    [TestCase("</action>forward<action>")]
    [TestCase("<think>x</think><action>前进</action>")]
    [TestCase("<action>forward</action>")]
    [TestCase("\uD800\uDFFF\uDC00 broken surrogates \uFFFD")]
    public void Malformed_outputs_are_invalid_actions_never_exceptions(string response)
    {
        var parsed = new TagActionParser(PaperPrompt()).Parse(response);
        Assert.That(parsed.Valid, Is.False);
        Assert.That(parsed.Action.Length, Is.LessThanOrEqualTo(Math.Max(30, response.Length)));
    }

    [Test]
    public void A_huge_output_is_cut_to_the_fallback_characters()
    {
        var parsed = new TagActionParser(new RolloutOptions()).Parse(new string('x', 5_000_000));
        Assert.That(parsed, Is.EqualTo(new ParsedAction(new string('x', 30), false)));
    }

    [Test]
    public void A_well_formed_output_is_lower_cased_and_trimmed()
    {
        Assert.That(new TagActionParser(new RolloutOptions()).Parse("<think>hm</think> <action> Go To Fridge 1 </action> tail"),
            Is.EqualTo(new ParsedAction("go to fridge 1", true)));
        Assert.That(new TagActionParser(new RolloutOptions { RequireThinkTags = false }).Parse("<action>look</action>"),
            Is.EqualTo(new ParsedAction("look", true)));
    }

    [Test]
    public async Task The_household_rollout_with_a_trivial_policy_runs_to_the_step_limit()
    {
        var options = new RolloutOptions { MaxSteps = 10 };
        var source = new EnvironmentRolloutSource(new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () => new HouseholdEnvironment()), options,
            new AgentPromptBuilder(options), new TagActionParser(options), new SimpleEpisodeMemoryFactory());
        var result = await source.CollectAsync(new ScriptedPolicy((_, _, _) => Act("look")), new RolloutRequest(2, 4, DatasetSplit.Train, 1));
        Assert.That(result.Batch.RowCount, Is.EqualTo(2 * 4 * 10));
        Assert.That(result.Episodes, Has.All.Property("Truncated").True);
        Assert.That(result.Episodes.Select(e => e.TaskType), Is.All.AnyOf(HouseholdTaskTypes.All.ToArray()));
        // The first anchor of every member of a group is the same introduction.
        for (var g = 0; g < 2; g++)
        {
            var anchors = result.Batch.TrajectoriesOf(g).ToArray().Select(t => result.Batch.Anchors[result.Batch.RowsOf(t)[0]]).Distinct().ToList();
            Assert.That(anchors, Has.Count.EqualTo(1));
        }
    }
}
