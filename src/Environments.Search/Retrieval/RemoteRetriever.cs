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
/// fails the queries it was for, with a message that says what was wrong. What a peer can make this process hold is bounded: no
/// redirect is followed, a body over <see cref="MaxResponseBytes"/> is refused, each query keeps at most its top-k passages, each
/// cut to <see cref="MaxPassageCharacters"/>.
/// </summary>
internal sealed class RemoteRetriever : IRetriever, IDisposable
{
    /// <summary>The largest answer read, in bytes (a top-10 of Wikipedia passages for 64 queries is about 0.5 MB).</summary>
    public const int MaxResponseBytes = 16 << 20;

    /// <summary>The longest passage kept, in characters (Search-R1's Wikipedia passages are 100 words).</summary>
    public const int MaxPassageCharacters = 4_000;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout.InfiniteTimeSpan };
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
            using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = JsonContent.Create(new RetrieveRequest(queries, topK)) };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token);
            if ((int)response.StatusCode is >= 300 and < 400)
                throw new RetrieverException($"The retriever at {_url} (Environments:search:RetrieverUrl) answered {(int)response.StatusCode}, a redirect to " +
                    $"'{response.Headers.Location}', which is not followed: give the address it names, if it is an http(s) one.", transient: false);
            var body = await ReadBoundedAsync(response.Content, token)
                ?? throw new RetrieverException($"The retriever at {_url} (Environments:search:RetrieverUrl) answered more than {MaxResponseBytes >> 20} MiB, " +
                    "more than this client reads: ask it for fewer or shorter passages (Environments:search:TopK).", transient: false);
            if (!response.IsSuccessStatusCode)
                throw new RetrieverException($"The retriever at {_url} (Environments:search:RetrieverUrl) answered {(int)response.StatusCode}: {Shorten(body)}",
                    transient: (int)response.StatusCode >= 500);
            return Parse(body, queries.Count, topK);
        }, cancellationToken);

    /// <summary>The body as text, or null when it is longer than <see cref="MaxResponseBytes"/>.</summary>
    private static async Task<string?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is > MaxResponseBytes) return null;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxResponseBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads <c>{"result": [[{"document": {"id", "contents"}, "score"}, ...], ...]}</c>, or the same without scores.</summary>
    internal IReadOnlyList<IReadOnlyList<Passage>> Parse(string body, int queries, int topK)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("result", out var result)
                || result.ValueKind != JsonValueKind.Array)
                throw Malformed("has no \"result\" array");
            if (result.GetArrayLength() != queries) throw Malformed($"has {result.GetArrayLength()} result lists for {queries} queries");
            return [.. result.EnumerateArray().Select(list => list.ValueKind == JsonValueKind.Array
                ? (IReadOnlyList<Passage>)[.. list.EnumerateArray().Take(topK).Select(ReadPassage)]
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
        var full = contents.GetString()!;
        var (title, text) = SplitContents(full.Length > MaxPassageCharacters ? full[..MaxPassageCharacters] : full);
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
