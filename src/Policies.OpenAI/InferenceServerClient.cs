using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GiGpoNet.Policies.OpenAI.Protocol;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace GiGpoNet.Policies.OpenAI;

/// <summary>
/// JSON over HTTP to one inference server, with a time-out per attempt and retries with exponential back-off on connection errors,
/// time-outs, 429 and 5xx answers (a slow or restarting server); other refusals fail at once.
/// </summary>
internal sealed class InferenceServerClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly ResiliencePipeline _pipeline;

    public InferenceServerClient(OpenAiPolicyOptions options, HttpMessageHandler? handler = null)
    {
        var address = options.BaseAddress.TrimEnd('/');
        ApiAddress = new Uri(address + "/");
        RootAddress = new Uri((address.EndsWith("/v1", StringComparison.Ordinal) ? address[..^3] : address) + "/");
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (options.ApiKey is { Length: > 0 } key) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var pipeline = new ResiliencePipelineBuilder();
        if (options.Retries > 0)
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.Retries,
                Delay = TimeSpan.FromMilliseconds(options.RetryDelayMilliseconds),
                BackoffType = DelayBackoffType.Exponential,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>()
                    .Handle<InferenceServerException>(e => e.Transient),
            });
        _pipeline = pipeline.AddTimeout(TimeSpan.FromSeconds(options.TimeoutSeconds)).Build();
    }

    /// <summary>The API's address (ending in <c>/v1/</c>).</summary>
    public Uri ApiAddress { get; }

    /// <summary>The server's root, where SGLang's <c>/update_weights_from_disk</c> lives.</summary>
    public Uri RootAddress { get; }

    /// <summary>Sends <paramref name="body"/> (or nothing) to <paramref name="address"/> and reads the answer as <typeparamref name="T"/>.</summary>
    /// <exception cref="InferenceServerException">The server refused, answered something unreadable, or kept failing through the retries.</exception>
    public async Task<T> SendAsync<T>(HttpMethod method, Uri address, object? body, CancellationToken cancellationToken)
    {
        var text = await SendAsync(method, address, body, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<T>(text, OpenAiJson.Options) ?? throw new InferenceServerException(null, $"{address} answered with an empty body.");
        }
        catch (JsonException e)
        {
            throw new InferenceServerException(null, $"{address} answered with JSON this client cannot read ({e.Message}).");
        }
    }

    /// <summary>Sends <paramref name="body"/> (or nothing) to <paramref name="address"/> and returns the answer's text (vLLM answers some calls in plain text).</summary>
    /// <exception cref="InferenceServerException">The server refused, or kept failing through the retries.</exception>
    public async Task<string> SendAsync(HttpMethod method, Uri address, object? body, CancellationToken cancellationToken)
    {
        async ValueTask<string> Attempt(CancellationToken token)
        {
            using var request = new HttpRequestMessage(method, address);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: OpenAiJson.Options);
            using var response = await _http.SendAsync(request, token).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? text
                : throw new InferenceServerException(response.StatusCode, $"{address} answered {(int)response.StatusCode}: {ErrorMessage(text)}");
        }

        try
        {
            return await _pipeline.ExecuteAsync(Attempt, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException)
        {
            throw new InferenceServerException(null, $"{address} could not be reached: {e.Message}", e);
        }
    }

    /// <summary>The OpenAI error object's message, or the body itself.</summary>
    private static string ErrorMessage(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                   && error.TryGetProperty("message", out var message) ? message.GetString() ?? body : body;
        }
        catch (JsonException)
        {
            return body.Length > 300 ? body[..300] + "…" : body;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>An inference server refused a request or could not be reached; <see cref="Transient"/> for answers worth retrying.</summary>
public sealed class InferenceServerException(HttpStatusCode? status, string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The HTTP status, or null when no answer came.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Whether no answer came: the server could not be reached, or did not answer in time.</summary>
    public bool Unreachable => InnerException is HttpRequestException or TimeoutRejectedException;

    /// <summary>Whether retrying may help: 429 and 5xx answers.</summary>
    public bool Transient => Status is { } s && ((int)s >= 500 || s == HttpStatusCode.TooManyRequests);
}
