using System.Net.Http.Json;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GiGpoNet.Environments.Search.Retrieval;

/// <summary>
/// A client of Search-R1's retrieval server (<c>POST /retrieve</c>). Queries that arrive within
/// <see cref="SearchOptions.RetrieverBatchWindowMilliseconds"/> of each other travel in one request; each attempt has a time-out,
/// and connection errors, time-outs and 5xx answers are retried with exponential back-off. An answer that does not fit the API
/// fails the queries it was for, with a message that says what was wrong.
/// </summary>
internal sealed class RemoteRetriever : IRetriever, IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private readonly Uri _url;
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeSpan _window;
    private readonly Lock _lock = new();
    private List<Pending>? _gathering;

    private sealed record Pending(string Query, int TopK, TaskCompletionSource<IReadOnlyList<Passage>> Result);

    public RemoteRetriever(SearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _url = new Uri(options.RetrieverUrl);
        _window = TimeSpan.FromMilliseconds(options.RetrieverBatchWindowMilliseconds);
        var pipeline = new ResiliencePipelineBuilder();
        if (options.RetrieverRetries > 0)
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.RetrieverRetries,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>().Handle<RetrieverException>(e => e.Transient),
            });
        _pipeline = pipeline.AddTimeout(TimeSpan.FromSeconds(options.RetrieverTimeoutSeconds)).Build();
    }

    public async Task<IReadOnlyList<IReadOnlyList<Passage>>> RetrieveAsync(IReadOnlyList<string> queries, int topK, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (_window <= TimeSpan.Zero || queries.Count != 1) return await SendAsync(queries, topK, cancellationToken);
        var pending = new Pending(queries[0], topK, new TaskCompletionSource<IReadOnlyList<Passage>>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool first;
        lock (_lock)
        {
            first = _gathering is null;
            (_gathering ??= []).Add(pending);
        }
        if (first) _ = FlushAfterWindowAsync();
        return [await pending.Result.Task.WaitAsync(cancellationToken)];
    }

    /// <summary>Sends what gathered during the window, one request per top-k.</summary>
    private async Task FlushAfterWindowAsync()
    {
        await Task.Delay(_window);
        List<Pending> batch;
        lock (_lock)
        {
            batch = _gathering!;
            _gathering = null;
        }
        foreach (var group in batch.GroupBy(p => p.TopK))
        {
            var items = group.ToList();
            try
            {
                var results = await SendAsync([.. items.Select(p => p.Query)], group.Key, CancellationToken.None);
                for (var i = 0; i < items.Count; i++) items[i].Result.TrySetResult(results[i]);
            }
            catch (Exception e)
            {
                foreach (var item in items) item.Result.TrySetException(e);
            }
        }
    }

    private async Task<IReadOnlyList<IReadOnlyList<Passage>>> SendAsync(IReadOnlyList<string> queries, int topK, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async token =>
        {
            using var response = await _http.PostAsJsonAsync(_url, new RetrieveRequest(queries, topK), token);
            var body = await response.Content.ReadAsStringAsync(token);
            if (!response.IsSuccessStatusCode)
                throw new RetrieverException($"The retriever at {_url} (Environments:search:RetrieverUrl) answered {(int)response.StatusCode}: {Shorten(body)}",
                    transient: (int)response.StatusCode >= 500);
            return Parse(body, queries.Count);
        }, cancellationToken);

    /// <summary>Reads <c>{"result": [[{"document": {"id", "contents"}, "score"}, ...], ...]}</c>, or the same without scores.</summary>
    internal IReadOnlyList<IReadOnlyList<Passage>> Parse(string body, int queries)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("result", out var result)
                || result.ValueKind != JsonValueKind.Array)
                throw Malformed("has no \"result\" array");
            if (result.GetArrayLength() != queries) throw Malformed($"has {result.GetArrayLength()} result lists for {queries} queries");
            return [.. result.EnumerateArray().Select(list => list.ValueKind == JsonValueKind.Array
                ? (IReadOnlyList<Passage>)[.. list.EnumerateArray().Select(ReadPassage)]
                : throw Malformed("has a result that is not a list of documents"))];
        }
        catch (JsonException e)
        {
            throw Malformed($"is not JSON ({e.Message})");
        }
    }

    private Passage ReadPassage(JsonElement item)
    {
        var scored = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("document", out _);
        var document = scored ? item.GetProperty("document") : item;
        if (document.ValueKind != JsonValueKind.Object || !document.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.String)
            throw Malformed("has a document without a \"contents\" string");
        var id = document.TryGetProperty("id", out var idValue) ? idValue.ToString() : "";
        double? score = scored && item.TryGetProperty("score", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetDouble() : null;
        var (title, text) = SplitContents(contents.GetString()!);
        return new Passage(id, title, text, score);
    }

    /// <summary>Search-R1's contents: the title (in double quotes) on the first line, the text after it.</summary>
    internal static (string Title, string Text) SplitContents(string contents)
    {
        var newline = contents.IndexOf('\n');
        if (newline < 0) return ("", contents.Trim());
        return (contents[..newline].Trim().Trim('"'), contents[(newline + 1)..].Trim());
    }

    private RetrieverException Malformed(string problem) =>
        new($"The retriever at {_url} (Environments:search:RetrieverUrl) answered with a body that {problem}; it must speak Search-R1's " +
            "retrieval API ({\"result\": [[{\"document\": {\"id\", \"contents\"}, \"score\"}]]}).", transient: false);

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    public void Dispose() => _http.Dispose();
}

/// <summary>A retriever failed or answered outside its API.</summary>
internal sealed class RetrieverException(string message, bool transient) : Exception(message)
{
    /// <summary>Whether trying again may help (a 5xx answer).</summary>
    public bool Transient { get; } = transient;
}
