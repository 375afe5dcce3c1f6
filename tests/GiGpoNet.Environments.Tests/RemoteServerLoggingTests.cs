using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Remote.Server;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Tests;

/// <summary>The server's own events reach the logger it is given: an environment fault with its exception, a rejected request with its status.</summary>
public sealed class RemoteServerLoggingTests
{
    [Test]
    public async Task An_environment_fault_and_a_rejected_request_are_logged_as_warnings()
    {
        var logger = new CollectingLogger();
        await using var server = new RemoteEnvironmentServer(
            [new DelegateEnvironmentFactory(HouseholdEnvironment.Description, () => new FailingStepEnvironment())],
            new RemoteEnvironmentServerOptions { Urls = "http://127.0.0.1:0" }, logger);
        await server.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Addresses.Single()), Timeout = TimeSpan.FromSeconds(20) };

        var ids = JsonDocument.Parse(await Post(http, "/v1/create", """{"environment":"household","count":1}""", HttpStatusCode.OK)).RootElement.GetProperty("ids");
        var id = ids[0].GetString();
        await Post(http, "/v1/reset", $$"""{"items":[{"id":"{{id}}","task_seed":1,"split":"train"}]}""", HttpStatusCode.OK);
        var step = await Post(http, "/v1/step", $$"""{"items":[{"id":"{{id}}","step":0,"action":"look"}]}""", HttpStatusCode.OK);
        await Post(http, "/v1/create", """{"environment":"nowhere","count":1}""", HttpStatusCode.NotFound);

        Assert.That(step, Does.Contain("the simulator lost its state"));
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).ToList();
        Assert.That(warnings.Select(e => e.Message), Has.Some.Contains("step of instance " + id).And.Some.Contains("unknown environment 'nowhere'"));
        Assert.That(warnings.Single(e => e.Message.Contains("step of instance", StringComparison.Ordinal)).Exception, Is.InstanceOf<InvalidOperationException>());
        Assert.That(logger.Entries.Where(e => e.Level == LogLevel.Information).Select(e => e.Message),
            Has.Some.StartsWith("Serving household on http://127.0.0.1:").And.Some.EqualTo("Created 1 instances of household"));
    }

    private static async Task<string> Post(HttpClient http, string path, string body, HttpStatusCode expected)
    {
        using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return text;
    }

    private sealed class FailingStepEnvironment : IEnvironment
    {
        private readonly HouseholdEnvironment _inner = new();

        public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default) => _inner.ResetAsync(reset, cancellationToken);

        public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("the simulator lost its state");

        public ValueTask DisposeAsync() => _inner.DisposeAsync();
    }

    private sealed class CollectingLogger : ILogger<RemoteEnvironmentServer>
    {
        public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception), exception));
    }
}
