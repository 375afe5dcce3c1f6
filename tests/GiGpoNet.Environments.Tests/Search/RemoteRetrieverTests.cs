using System.Net;
using System.Net.Sockets;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Retrieval;
using GiGpoNet.Environments.Search.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Tests.Search;

public sealed class RemoteRetrieverTests
{
    /// <summary>Counts the requests and queries that reach the served retriever.</summary>
    private sealed class CountingRetriever(IRetriever inner) : IRetriever
    {
        public int Requests;
        public int Queries;

        public Task<IReadOnlyList<IReadOnlyList<Passage>>> RetrieveAsync(IReadOnlyList<string> queries, int topK, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Requests);
            Interlocked.Add(ref Queries, queries.Count);
            return inner.RetrieveAsync(queries, topK, cancellationToken);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<(RetrieverServer Server, string Url)> ServeAsync(IRetriever retriever)
    {
        var port = FreePort();
        var server = new RetrieverServer(retriever, new RetrieverServerOptions { Urls = $"http://127.0.0.1:{port}" });
        await server.StartAsync();
        return (server, $"http://127.0.0.1:{port}/retrieve");
    }

    /// <summary>A server that answers every request with <paramref name="status"/> and <paramref name="body"/>, counting them.</summary>
    private static async Task<(WebApplication App, string Url, Func<int> Requests)> FakeAsync(int status, string body, string? location = null)
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var requests = 0;
        app.MapPost("/retrieve", async context =>
        {
            Interlocked.Increment(ref requests);
            context.Response.StatusCode = status;
            if (location is not null) context.Response.Headers.Location = location;
            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        return (app, $"http://127.0.0.1:{port}/retrieve", () => requests);
    }

    [Test]
    public async Task Served_passages_equal_the_built_in_retrievers_and_concurrent_queries_share_one_request()
    {
        var counting = new CountingRetriever(SearchFixture.Retriever);
        var (server, url) = await ServeAsync(counting);
        await using var _ = server;
        using var remote = new RemoteRetriever(new SearchOptions { Retriever = SearchRetriever.Remote, RetrieverUrl = url, RetrieverBatchWindowMilliseconds = 50 });
        var queries = SearchFixture.Tasks.Questions.InSplit(DatasetSplit.Test).Take(32).Select(q => q.Path[0]).ToList();
        var answers = await Task.WhenAll(queries.Select(q => remote.RetrieveAsync([q], 3)));
        for (var i = 0; i < queries.Count; i++)
        {
            var expected = SearchFixture.Retriever.Search(queries[i], 3);
            Assert.That(answers[i][0].Select(p => (p.Id, p.Title, p.Text)), Is.EqualTo(expected.Select(p => (p.Id, p.Title, p.Text))), queries[i]);
            Assert.That(answers[i][0].Select(p => p.Score!.Value), Is.EqualTo(expected.Select(p => p.Score!.Value)).Within(1e-5));
        }
        Assert.That(counting.Queries, Is.EqualTo(32));
        Assert.That(counting.Requests, Is.LessThanOrEqualTo(2), "the 32 queries of a turn travel together");
    }

    [Test]
    public async Task The_search_environment_over_the_remote_retriever_plays_the_same_episodes()
    {
        var (server, url) = await ServeAsync(SearchFixture.Retriever);
        await using var _ = server;
        using var remote = new RemoteRetriever(new SearchOptions { Retriever = SearchRetriever.Remote, RetrieverUrl = url });
        for (var seed = 0; seed < 20; seed++)
        {
            await using var local = SearchFixture.Create();
            await using var served = SearchFixture.Create(retriever: remote);
            var reset = new EnvironmentReset(seed, DatasetSplit.Validation);
            var (a, b) = (await local.ResetAsync(reset), await served.ResetAsync(reset));
            for (var turn = 0; turn < 4; turn++)
            {
                Assert.That((b.Text, b.AdmissibleActions), Is.EqualTo((a.Text, a.AdmissibleActions)));
                var action = local.ExpertAction()!;
                var (sa, sb) = (await local.StepAsync(action), await served.StepAsync(action));
                (a, b) = (sa.Observation, sb.Observation);
                Assert.That((sb.Reward, sb.Done), Is.EqualTo((sa.Reward, sa.Done)));
                if (sa.Done) break;
            }
        }
    }

    [TestCase("{\"queries\": []}", "non-empty array")]
    [TestCase("{\"queries\": [\"a\"], \"topk\": 0}", "topk")]
    [TestCase("{\"queries\": [\"a\"], \"topk\": 51}", "topk")]
    [TestCase("{\"queries\": \"a\"}", "not a JSON retrieval request")]
    [TestCase("[1, 2]", "not a JSON retrieval request")]
    [TestCase("{\"queries\": [\"a\", null]}", "every query must be a string")]
    public async Task The_server_refuses_requests_outside_the_api_with_400_and_the_reason(string body, string reason)
    {
        var (server, url) = await ServeAsync(SearchFixture.Retriever);
        await using var _ = server;
        using var http = new HttpClient();
        using var response = await http.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"error\"").And.Contain(reason));
    }

    [Test]
    public async Task Without_scores_the_server_answers_documents_alone_and_the_client_reads_them()
    {
        var (server, url) = await ServeAsync(SearchFixture.Retriever);
        await using var _ = server;
        using var http = new HttpClient();
        var name = SearchFixture.Corpus.Entities[^1].Name;
        using var response = await http.PostAsync(url, new StringContent($"{{\"queries\": [\"{name}\"], \"topk\": 2, \"return_scores\": false}}",
            System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(body, Does.Contain("\"contents\"").And.Not.Contain("\"score\""));
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url });
        var passages = client.Parse(body, 1, 10)[0];
        Assert.That(passages.Select(p => p.Title), Is.EqualTo(SearchFixture.Retriever.Search(name, 2).Select(p => p.Title)));
        Assert.That(passages, Has.Count.EqualTo(2));
        Assert.That(passages.Select(p => p.Score), Has.All.Null);
    }

    [TestCase("{}", "no \"result\" array")]
    [TestCase("{\"result\": [[], []]}", "2 result lists for 1 queries")]
    [TestCase("{\"result\": [[{\"document\": {\"id\": \"1\"}}]]}", "without a \"contents\" string")]
    [TestCase("<html>", "is not JSON")]
    public async Task An_answer_outside_the_api_fails_with_what_was_wrong_and_is_not_retried(string body, string problem)
    {
        var (app, url, requests) = await FakeAsync(200, body);
        await using var _ = app;
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url, RetrieverRetries = 3, RetrieverBatchWindowMilliseconds = 0 });
        var error = Assert.ThrowsAsync<RetrieverException>(() => client.RetrieveAsync(["q"], 3))!;
        Assert.That(error.Message, Does.Contain(problem).And.Contain("Environments:search:RetrieverUrl"));
        Assert.That(requests(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_5xx_answer_is_retried_and_then_reported()
    {
        var (app, url, requests) = await FakeAsync(503, "{\"error\": \"index loading\"}");
        await using var _ = app;
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url, RetrieverRetries = 2, RetrieverBatchWindowMilliseconds = 0 });
        var error = Assert.ThrowsAsync<RetrieverException>(() => client.RetrieveAsync(["q"], 3))!;
        Assert.That(error.Message, Does.Contain("503").And.Contain("index loading"));
        Assert.That(requests(), Is.EqualTo(3));
    }

    [TestCase("file:///etc/passwd")]
    [TestCase("http://127.0.0.1:9/elsewhere")]
    public async Task A_redirect_is_not_followed_and_fails_naming_where_it_pointed(string location)
    {
        var (app, url, requests) = await FakeAsync(307, "", location);
        await using var _ = app;
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url, RetrieverRetries = 3, RetrieverBatchWindowMilliseconds = 0 });
        var error = Assert.ThrowsAsync<RetrieverException>(() => client.RetrieveAsync(["q"], 3))!;
        Assert.That(error.Message, Does.Contain("307").And.Contain(location).And.Contain("not followed"));
        Assert.That(requests(), Is.EqualTo(1), "not retried");
    }

    [Test]
    public async Task An_answer_larger_than_the_limit_is_refused_without_being_held()
    {
        var (app, url, _) = await FakeAsync(200, "{\"result\": [[{\"contents\": \"" + new string('x', RemoteRetriever.MaxResponseBytes) + "\"}]]}");
        await using var _ = app;
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url, RetrieverRetries = 0, RetrieverBatchWindowMilliseconds = 0 });
        var error = Assert.ThrowsAsync<RetrieverException>(() => client.RetrieveAsync(["q"], 3))!;
        Assert.That(error.Message, Does.Contain("more than 16 MiB").And.Contain("Environments:search:TopK"));
    }

    [Test]
    public async Task Each_query_keeps_its_top_k_passages_each_cut_to_the_limit()
    {
        var passage = "{\"document\": {\"id\": \"1\", \"contents\": \"\\\"Title\\\"\\n" + new string('y', 1_000_000) + "\"}, \"score\": 1.0}";
        var (app, url, _) = await FakeAsync(200, "{\"result\": [[" + string.Join(", ", Enumerable.Repeat(passage, 12)) + "]]}");
        await using var _ = app;
        using var client = new RemoteRetriever(new SearchOptions { RetrieverUrl = url, RetrieverRetries = 0, RetrieverBatchWindowMilliseconds = 0 });
        var passages = (await client.RetrieveAsync(["q"], 3))[0];
        Assert.That(passages, Has.Count.EqualTo(3));
        Assert.That(passages.Select(p => p.Title), Has.All.EqualTo("Title"));
        Assert.That(passages.Select(p => p.Text.Length), Has.All.LessThanOrEqualTo(RemoteRetriever.MaxPassageCharacters));
    }

    [Test]
    public async Task A_body_over_the_servers_limit_gets_413_with_the_error()
    {
        var port = FreePort();
        await using var server = new RetrieverServer(SearchFixture.Retriever, new RetrieverServerOptions { Urls = $"http://127.0.0.1:{port}", MaxRequestBytes = 4096 });
        await server.StartAsync();
        using var http = new HttpClient();
        var body = "{\"queries\": [\"" + new string('q', 10_000) + "\"]}";
        using var response = await http.PostAsync($"http://127.0.0.1:{port}/retrieve", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("\"error\"").And.Contain("4096 bytes"));
    }
}
