using System.Net;
using System.Text;
using System.Text.Json;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Remote.Server;

namespace GiGpoNet.Environments.Tests;

/// <summary>
/// The remote-environment server under input a hostile or broken peer sends: every answer is a JSON error with a 4xx status or a
/// per-item error, never a 500, a hang or a crash (the client retries 5xx, so a 500 for bad input would be sent again and again).
/// </summary>
public sealed class RemoteServerHostileInputTests
{
    private static async Task<(RemoteEnvironmentServer Server, HttpClient Http)> Start(int maxInstances = 4096)
    {
        var server = new RemoteEnvironmentServer(
            [new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () => new HouseholdEnvironment())],
            new RemoteEnvironmentServerOptions { Urls = "http://127.0.0.1:0", MaxInstances = maxInstances, MaxRequestBytes = 64 << 10 });
        await server.StartAsync();
        return (server, new HttpClient { BaseAddress = new Uri(server.Addresses.Single()), Timeout = TimeSpan.FromSeconds(20) });
    }

    private static async Task<(HttpStatusCode Status, string Body)> Post(HttpClient http, string path, string body)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_count_that_would_overflow_the_instance_limit_is_refused_with_429()
    {
        var (server, http) = await Start();
        await using var _ = server;
        using var __ = http;
        Assert.That((await Post(http, "/v1/create", """{"environment":"household","count":100}""")).Status, Is.EqualTo(HttpStatusCode.OK));
        var (status, body) = await Post(http, "/v1/create", """{"environment":"household","count":2147483591}""");
        Assert.That(status, Is.EqualTo(HttpStatusCode.TooManyRequests), body);
        Assert.That(body, Does.Contain("limit of 4096"));
    }

    [TestCase("/v1/reset", """{"items":[null]}""")]
    [TestCase("/v1/step", """{"items":[null]}""")]
    [TestCase("/v1/close", """{"ids":[null]}""")]
    public async Task A_null_item_is_a_400_with_a_message(string path, string body)
    {
        var (server, http) = await Start();
        await using var _ = server;
        using var __ = http;
        var (status, text) = await Post(http, path, body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), Does.Contain("null"));
    }

    [TestCase("99")]
    [TestCase("-1")]
    [TestCase("train, test")]
    [TestCase("Train,Validation")]
    public async Task A_split_is_accepted_by_name_only(string split)
    {
        var (server, http) = await Start();
        await using var _ = server;
        using var __ = http;
        var id = JsonDocument.Parse((await Post(http, "/v1/create", """{"environment":"household","count":1}""")).Body).RootElement.GetProperty("ids")[0].GetString();
        var (status, body) = await Post(http, "/v1/reset", JsonSerializer.Serialize(new { items = new[] { new { id, task_seed = 1, split } } }));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("results")[0].GetProperty("error").GetString(), Does.Contain("unknown split"));
        var (_, valid) = await Post(http, "/v1/reset", JsonSerializer.Serialize(new { items = new[] { new { id, task_seed = 1, split = "Validation" } } }));
        Assert.That(JsonDocument.Parse(valid).RootElement.GetProperty("results")[0].TryGetProperty("error", out var error), Is.False, valid);
    }

    /// <summary>
    /// A bounded fuzz (seed 20261202, 600 requests): mutated valid bodies (cut short, bytes flipped, fields of the wrong type, huge
    /// numbers, unknown ids, nulls, oversized bodies) to every call, and concurrent steps on one instance. Each answer is 200 or a 4xx
    /// with a JSON error body, and the server still serves a valid episode at the end.
    /// </summary>
    [Test]
    public async Task Fuzzed_requests_get_a_4xx_or_a_per_item_error_and_never_a_500()
    {
        var (server, http) = await Start(maxInstances: 64);
        await using var _ = server;
        using var __ = http;
        var id = JsonDocument.Parse((await Post(http, "/v1/create", """{"environment":"household","count":1}""")).Body).RootElement.GetProperty("ids")[0].GetString()!;
        string[] paths = ["/v1/create", "/v1/reset", "/v1/step", "/v1/close"];
        string[] valid =
        [
            """{"environment":"household","count":2}""",
            $$"""{"items":[{"id":"{{id}}","task_seed":3,"split":"train"}]}""",
            $$"""{"items":[{"id":"{{id}}","step":0,"action":"look"}]}""",
            """{"ids":["0123456789abcdef0123456789abcdef"]}""",
        ];
        string[] replacements = ["null", "[]", "{}", "\"x\"", "-1", "1e400", "99999999999999999999", "true", "[null]", "\"\\ud800\""];
        var random = new Random(20261202);
        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 600; i++)
        {
            var which = random.Next(paths.Length);
            var body = Mutate(valid[which], random, replacements);
            var (status, text) = await Post(http, paths[which], body);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            Assert.That((int)status, Is.LessThan(500), $"{paths[which]} {body} -> {status} {text}");
            if (status != HttpStatusCode.OK)
                Assert.That(() => JsonDocument.Parse(text).RootElement.GetProperty("error").GetString(), Is.Not.Empty, $"{paths[which]} {body}: {text}");
        }
        // Concurrent misuse: the same step of one instance sent eight times at once.
        await Post(http, "/v1/reset", valid[1]);
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Post(http, "/v1/step", valid[2])));
        Assert.That(concurrent.Select(c => c.Status), Is.All.EqualTo(HttpStatusCode.OK));
        var oversized = await Post(http, "/v1/step", "{\"items\":[" + string.Join(",", Enumerable.Repeat(valid[2][10..^2], 2000)) + "]}");
        Assert.That(oversized.Status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        TestContext.Out.WriteLine("fuzz statuses: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}")));
        Assert.That((await Post(http, "/v1/reset", valid[1])).Status, Is.EqualTo(HttpStatusCode.OK), "the server still serves");
    }

    private static string Mutate(string body, Random random, string[] replacements)
    {
        switch (random.Next(5))
        {
            case 0: return body[..random.Next(body.Length)]; // cut short
            case 1:
            {
                var chars = body.ToCharArray();
                chars[random.Next(chars.Length)] = (char)random.Next(32, 127);
                return new string(chars);
            }
            case 2: // a value replaced by one of another type
            {
                var colon = body.IndexOf(':', random.Next(body.Length / 2));
                if (colon < 0) return body;
                var end = body.IndexOfAny([',', '}', ']'], colon + 1);
                return end < 0 ? body : body[..(colon + 1)] + replacements[random.Next(replacements.Length)] + body[end..];
            }
            case 3: return replacements[random.Next(replacements.Length)];
            default: return body;
        }
    }
}
