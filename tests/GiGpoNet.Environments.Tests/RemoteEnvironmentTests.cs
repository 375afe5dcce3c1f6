using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Remote.Client;
using GiGpoNet.Environments.Remote.Protocol;
using GiGpoNet.Environments.Remote.Server;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Sokoban;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Environments.Tests;

/// <summary>The remote protocol through the real server on loopback.</summary>
public sealed class RemoteEnvironmentTests
{

    private static readonly IEnvironmentFactory[] Served =
    [
        new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () => new HouseholdEnvironment()),
        new DelegateEnvironmentFactory(SokobanEnvironment.Description, () => new SokobanEnvironment()),
    ];

    private static async Task<(RemoteEnvironmentServer Server, string Address)> StartServer(string? apiKey = null, long maxRequestBytes = 1 << 20)
    {
        var server = new RemoteEnvironmentServer(Served, new RemoteEnvironmentServerOptions { Urls = "http://127.0.0.1:0", ApiKey = apiKey, MaxRequestBytes = maxRequestBytes });
        await server.StartAsync();
        return (server, server.Addresses.Single());
    }

    private static RemoteEnvironmentClient Client(string address, string environment = "household", string? apiKey = null, int retries = 2) =>
        new(new RemoteEnvironmentOptions
        {
            BaseAddress = address, Environment = environment, ApiKey = apiKey, Retries = retries,
            RetryDelay = TimeSpan.FromMilliseconds(20), AttemptTimeout = TimeSpan.FromSeconds(10),
        });

    [Test]
    public async Task A_remote_episode_is_the_same_as_a_local_one()
    {
        var (server, address) = await StartServer();
        await using var _ = server;
        using var client = Client(address);
        await using var remote = new RemoteEnvironment(client);
        await using var local = new HouseholdEnvironment();
        var reset = new EnvironmentReset(42, DatasetSplit.Validation);
        Assert.That(await remote.ResetAsync(reset), Is.EqualTo(await local.ResetAsync(reset)).Using<EnvironmentObservation>(SameObservation));
        for (var t = 0; t < 50; t++)
        {
            var action = local.ExpertAction() ?? throw new AssertionException("the expert gave up on its own path");
            var expected = await local.StepAsync(action);
            var actual = await remote.StepAsync(action);
            Assert.That(actual.Observation, Is.EqualTo(expected.Observation).Using<EnvironmentObservation>(SameObservation));
            Assert.That((actual.Reward, actual.Done, actual.Won), Is.EqualTo((expected.Reward, expected.Done, expected.Won)));
            if (expected.Done) return;
        }
        Assert.Fail("the expert did not finish");
    }

    private static bool SameObservation(EnvironmentObservation a, EnvironmentObservation b) =>
        a.Text == b.Text && a.Task == b.Task && a.TaskType == b.TaskType && (a.AdmissibleActions ?? []).SequenceEqual(b.AdmissibleActions ?? []);

    [Test]
    public async Task The_rollout_loop_uses_a_remote_environment_exactly_like_a_local_one()
    {
        var (server, address) = await StartServer();
        await using var _ = server;
        var options = new RolloutOptions { MaxSteps = 6, RequireThinkTags = false };
        var policy = new CyclingPolicy(["up", "left", "down", "right", "up"]);
        using var remoteFactory = new RemoteEnvironmentFactory(Client(address, "sokoban"), "sokoban");
        await remoteFactory.LoadAsync(CancellationToken.None); // what a run's start-up check does
        Assert.That(remoteFactory.Description.DefaultMaxSteps, Is.EqualTo(15));
        var request = new RolloutRequest(2, 3, DatasetSplit.Train, 9);
        var remote = await Source(remoteFactory, options).CollectAsync(policy, request);
        var local = await Source(new DelegateEnvironmentFactory(SokobanEnvironment.Description, () => new SokobanEnvironment()), options).CollectAsync(new CyclingPolicy(["up",
            "left", "down", "right", "up"]), request);
        Assert.That(remote.Batch.RowCount, Is.EqualTo(local.Batch.RowCount));
        Assert.That(remote.Batch.Anchors.ToArray(), Is.EqualTo(local.Batch.Anchors.ToArray()));
        Assert.That(remote.Batch.Rewards.ToArray(), Is.EqualTo(local.Batch.Rewards.ToArray()));
        Assert.That(remote.Episodes, Is.EqualTo(local.Episodes));
    }

    private static EnvironmentRolloutSource Source(IEnvironmentFactory factory, RolloutOptions options) =>
        new(factory, options, new AgentPromptBuilder(options), new TagActionParser(options), new SimpleEpisodeMemoryFactory());

    private sealed class CyclingPolicy(string[] actions) : IPolicy
    {
        private int _calls;

        public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
            CancellationToken cancellationToken = default)
        {
            var action = actions[_calls++ % actions.Length];
            IReadOnlyList<PolicyGeneration> result = [.. prompts.Select(_ => new PolicyGeneration($"<action>{action}</action>", [], [], [], false))];
            return ValueTask.FromResult(result);
        }
    }

    [Test]
    public async Task A_server_killed_mid_episode_ends_the_trajectories_as_failed_and_truncated()
    {
        var (server, address) = await StartServer();
        var options = new RolloutOptions { MaxSteps = 10, RequireThinkTags = false };
        using var factory = new RemoteEnvironmentFactory(Client(address, "sokoban", retries: 1), "sokoban");
        await factory.LoadAsync(CancellationToken.None); // what a run's start-up check does
        var policy = new KillingPolicy(server, killAtCall: 2);
        var result = await Source(factory, options).CollectAsync(policy, new RolloutRequest(1, 2, DatasetSplit.Train, 1));
        Assert.That(result.Episodes, Has.Count.EqualTo(2));
        Assert.That(result.Episodes, Has.All.Property("Truncated").True.And.Property("Won").False);
        Assert.That(result.Episodes, Has.All.Property("Failure").Not.Null);
        Assert.That(result.Batch.RowCount, Is.EqualTo(2 * 2), "the two steps taken before the kill are kept");
    }

    [Test]
    public async Task A_server_killed_and_restarted_mid_run_fails_the_trajectories_in_flight_and_the_run_goes_on()
    {
        var (server, address) = await StartServer();
        var options = new RolloutOptions { MaxSteps = 10, RequireThinkTags = false };
        using var factory = new RemoteEnvironmentFactory(Client(address, "sokoban", retries: 2), "sokoban");
        await factory.LoadAsync(CancellationToken.None); // what a run's start-up check does
        var source = Source(factory, options);
        RemoteEnvironmentServer? restarted = null;
        try
        {
            var interrupted = await source.CollectAsync(new KillingPolicy(server, killAtCall: 2), new RolloutRequest(2, 2, DatasetSplit.Train, 1));
            restarted = await StartServerAt(address); // the same address, a new server: the old instance ids are gone
            Assert.That(interrupted.Episodes, Has.Count.EqualTo(4));
            Assert.That(interrupted.Episodes, Has.All.Property("Failure").Not.Null, "every trajectory was in flight when the server died");
            Assert.That(interrupted.Batch.RowCount, Is.EqualTo(4 * 2), "the steps taken before the kill are kept");

            var next = await source.CollectAsync(new CyclingPolicy(["up", "left", "down", "right"]), new RolloutRequest(2, 2, DatasetSplit.Train, 2));
            Assert.That(next.Episodes, Has.All.Property("Failure").Null, "the next iteration runs on the restarted server");
            Assert.That(next.Batch.RowCount, Is.GreaterThan(0));
        }
        finally
        {
            if (restarted is not null) await restarted.DisposeAsync();
        }
    }

    private static async Task<RemoteEnvironmentServer> StartServerAt(string address)
    {
        var server = new RemoteEnvironmentServer(Served, new RemoteEnvironmentServerOptions { Urls = address });
        await server.StartAsync();
        return server;
    }

    private sealed class KillingPolicy(RemoteEnvironmentServer server, int killAtCall) : IPolicy
    {
        private int _calls;

        public async ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
            CancellationToken cancellationToken = default)
        {
            if (_calls++ == killAtCall) await server.DisposeAsync();
            return [.. prompts.Select(_ => new PolicyGeneration("<action>up</action>", [], [], [], false))];
        }
    }

    [Test]
    public async Task A_repeated_step_number_is_answered_from_memory_and_a_wrong_one_is_refused()
    {
        var (server, address) = await StartServer();
        await using var _ = server;
        using var client = Client(address, "sokoban");
        var id = (await client.CreateAsync(1))[0];
        await client.ResetAsync([new ResetItem(id, 3, "train")]);
        var first = (await client.StepAsync([new StepItem(id, 0, "up")]))[0];
        var again = (await client.StepAsync([new StepItem(id, 0, "up")]))[0];
        Assert.That(JsonSerializer.Serialize(again), Is.EqualTo(JsonSerializer.Serialize(first)));
        var skipped = (await client.StepAsync([new StepItem(id, 5, "up")]))[0];
        Assert.That(skipped.Error, Does.Contain("out of sequence").And.Contain("next step is 1"));
        var unknown = (await client.StepAsync([new StepItem("nope", 0, "up")]))[0];
        Assert.That(unknown.Error, Is.EqualTo("unknown instance id"));
    }

    [Test]
    public async Task The_api_key_unknown_environments_size_limit_and_openapi_are_enforced()
    {
        var (server, address) = await StartServer(apiKey: "s3cret", maxRequestBytes: 2048);
        await using var _ = server;

        using var wrongKey = Client(address, apiKey: "guess", retries: 0);
        var refused = Assert.ThrowsAsync<RemoteServerException>(() => wrongKey.CreateAsync(1));
        Assert.That(refused!.Status, Is.EqualTo(HttpStatusCode.Unauthorized));

        using var unknown = Client(address, "alfworld", apiKey: "s3cret", retries: 0);
        var missing = Assert.ThrowsAsync<RemoteServerException>(() => unknown.CreateAsync(1));
        Assert.That(missing!.Message, Does.Contain("unknown environment 'alfworld'; served: household, sokoban"));

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        var huge = await http.PostAsJsonAsync("v1/step", new StepRequest([new StepItem("x", 0, new string('a', 10_000))]), RemoteJson.Options);
        Assert.That(huge.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        var malformed = await http.PostAsync("v1/step", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.That(malformed.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));

        using var document = JsonDocument.Parse(await http.GetStringAsync("openapi.json"));
        Assert.That(document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name),
            Is.SupersetOf(new[] { "/v1/info", "/v1/create", "/v1/reset", "/v1/step", "/v1/close" }));
    }
}
