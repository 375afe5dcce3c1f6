using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GiGpoNet.Environments.Remote.Protocol;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GiGpoNet.Environments.Remote.Client;

/// <summary>
/// Talks the remote-environment protocol to one server, with a time-out per attempt and retries with exponential back-off on
/// connection errors, time-outs and 5xx answers. Steps are retried safely: the server answers a repeated step number from memory.
/// </summary>
internal sealed class RemoteEnvironmentClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;

    /// <summary>Creates a client (it owns its <see cref="HttpClient"/>).</summary>
    public RemoteEnvironmentClient(RemoteEnvironmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (!Uri.TryCreate(options.BaseAddress, UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
            throw new GiGpoNetConfigurationException($"'{options.BaseAddress}' is not an http(s) address; set the remote environment's BaseAddress, e.g. http://127.0.0.1:5005.");
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (options.ApiKey is { Length: > 0 } key) _http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var pipeline = new ResiliencePipelineBuilder();
        if (options.Retries > 0)
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .Handle<RemoteServerException>(e => e.Transient),
            });
        _pipeline = pipeline.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>The options in force.</summary>
    public RemoteEnvironmentOptions Options { get; }

    /// <summary>The served environments.</summary>
    public Task<InfoResponse> InfoAsync(CancellationToken cancellationToken = default) =>
        SendAsync<InfoResponse>(HttpMethod.Get, "v1/info", null, cancellationToken);

    /// <summary>Creates <paramref name="count"/> instances of the configured environment.</summary>
    public async Task<IReadOnlyList<string>> CreateAsync(int count, CancellationToken cancellationToken = default) =>
        (await SendAsync<CreateResponse>(HttpMethod.Post, "v1/create", new CreateRequest(Options.Environment, count), cancellationToken)).Ids;

    /// <summary>Resets instances.</summary>
    public async Task<IReadOnlyList<ItemResult>> ResetAsync(IReadOnlyList<ResetItem> items, CancellationToken cancellationToken = default) =>
        (await SendAsync<ItemsResponse>(HttpMethod.Post, "v1/reset", new ResetRequest(items), cancellationToken)).Results;

    /// <summary>Steps instances.</summary>
    public async Task<IReadOnlyList<ItemResult>> StepAsync(IReadOnlyList<StepItem> items, CancellationToken cancellationToken = default) =>
        (await SendAsync<ItemsResponse>(HttpMethod.Post, "v1/step", new StepRequest(items), cancellationToken)).Results;

    /// <summary>Closes instances (best effort: no retries).</summary>
    public async Task CloseAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsJsonAsync("v1/close", new CloseRequest(ids), RemoteJson.Options, cancellationToken);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        async ValueTask<T> Attempt(CancellationToken token)
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: RemoteJson.Options);
            using var response = await _http.SendAsync(request, token);
            if (!response.IsSuccessStatusCode)
            {
                var text = await response.Content.ReadAsStringAsync(token);
                throw new RemoteServerException(response.StatusCode, $"{Options.BaseAddress} answered {(int)response.StatusCode} to {path}: {ErrorText(text)}");
            }
            return await response.Content.ReadFromJsonAsync<T>(RemoteJson.Options, token)
                   ?? throw new RemoteServerException(response.StatusCode, $"{Options.BaseAddress} answered {path} with an empty body.");
        }

        return await _pipeline.ExecuteAsync(Attempt, cancellationToken);
    }

    private static string ErrorText(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<ErrorResponse>(body, RemoteJson.Options)?.Error ?? body;
        }
        catch (JsonException)
        {
            return body;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}

/// <summary>A remote environment server refused a request; <see cref="Transient"/> for 5xx answers, which are retried.</summary>
public sealed class RemoteServerException(HttpStatusCode status, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>Whether retrying may help (5xx).</summary>
    public bool Transient => (int)Status >= 500;
}
