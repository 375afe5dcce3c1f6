using System.Security.Cryptography;
using System.Text;
using GiGpoNet.Backend;
using GiGpoNet.Serving.Endpoints;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GiGpoNet.Serving;

/// <summary>
/// Serves a policy checkpoint over the OpenAI-compatible API that vLLM and SGLang speak (docs/serve-policy.md): <c>GET /v1/models</c>,
/// <c>POST /v1/completions</c> (text or token-id prompts, <c>echo</c>, <c>logprobs</c>), <c>POST /v1/chat/completions</c>, LoRA adapters
/// loaded and unloaded at run time (<c>/v1/load_lora_adapter</c>, <c>/v1/unload_lora_adapter</c>) and the weights reloaded from a
/// folder (<c>/update_weights_from_disk</c>). Concurrent requests with the same sampling settings are generated as one batch. Bad
/// requests get OpenAI's error object with a 4xx status.
/// </summary>
public sealed class PolicyServer : IAsyncDisposable
{
    private readonly ServedPolicy _policy;
    private readonly PolicyServerOptions _options;
    private readonly ILogger _logger;
    private readonly GenerationBatcher _batcher;
    private WebApplication? _app;

    private PolicyServer(ServedPolicy policy, PolicyServerOptions options, ILogger logger)
    {
        _policy = policy;
        _options = options;
        _logger = logger;
        _batcher = new GenerationBatcher(policy, TimeSpan.FromMilliseconds(options.BatchWindowMilliseconds), options.MaxBatchSequences);
    }

    /// <summary>Loads <paramref name="checkpoint"/> (a run's checkpoint, its LoRA adapter merged, or a Hugging Face model folder) to serve it.</summary>
    /// <param name="checkpoint">The folder.</param>
    /// <param name="options">Where to listen and the limits; checked here.</param>
    /// <param name="backend">Device and dtype (default: the CPU, float32).</param>
    /// <param name="logger">Start, weight changes (information), rejected requests (warnings) and failures (errors). Default: none.</param>
    /// <exception cref="GiGpoNetConfigurationException">The options are invalid, or the folder holds no policy.</exception>
    public static PolicyServer Load(string checkpoint, PolicyServerOptions options, BackendOptions? backend = null, ILogger<PolicyServer>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpoint);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new GiGpoNetConfigurationException("serve-policy: " + string.Join(" ", problems));
        backend ??= new BackendOptions { Device = "cpu" };
        backend.ApplyProcessSettings();
        return new PolicyServer(new ServedPolicy(checkpoint, backend, options.ServedModelName), options, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <summary>The base model's name, as <c>/v1/models</c> lists it.</summary>
    public string ModelName => _policy.BaseName;

    /// <summary>The addresses the server listens on, once started.</summary>
    public IReadOnlyList<string> Addresses =>
        _app?.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Generation calls made so far (fewer than the requests when they were batched).</summary>
    internal long Batches => _batcher.Batches;

    /// <summary>Held by every use of the weights (tests hold it to keep a batch waiting).</summary>
    internal SemaphoreSlim WeightsGate => _policy.Gate;

    /// <summary>Rows (sequences) generated to the end so far; an abandoned batch adds none.</summary>
    internal long Rows => _batcher.Rows;

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(_options.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = _options.MaxRequestBytes;
            // Kestrel answers headers over its limit with a bare 431; read up to 8 times ours so that GuardAsync answers with the error object.
            k.Limits.MaxRequestHeadersTotalSize = 8 * MaxHeaderBytes;
        });
        var app = builder.Build();
        app.Use(GuardAsync);
        var completions = new CompletionsEndpoint(_policy, _batcher, _options);
        var chat = new ChatCompletionsEndpoint(_policy, _batcher, _options);
        var weights = new WeightsEndpoints(_policy, TimeSpan.FromSeconds(_options.WeightLoadTimeoutSeconds), _logger);
        // Typed as Func<HttpContext, Task<IResult>>: a plain lambda over HttpContext would bind as a RequestDelegate and drop the result.
        app.MapGet("/v1/models", Models);
        app.MapPost("/v1/completions", (Func<HttpContext, Task<IResult>>)completions.HandleAsync);
        app.MapPost("/v1/chat/completions", (Func<HttpContext, Task<IResult>>)chat.HandleAsync);
        app.MapPost("/v1/load_lora_adapter", (Func<HttpContext, Task<IResult>>)weights.LoadAdapterAsync);
        app.MapPost("/v1/unload_lora_adapter", (Func<HttpContext, Task<IResult>>)weights.UnloadAdapterAsync);
        app.MapPost("/update_weights_from_disk", (Func<HttpContext, Task<IResult>>)weights.UpdateWeightsAsync);
        app.MapGet("/health", () => Results.Ok());
        app.MapFallback((Func<HttpContext, IResult>)(c => throw new OpenAiException(StatusCodes.Status404NotFound,
            $"There is no {c.Request.Method} {c.Request.Path}; see docs/serve-policy.md for the routes served.")));
        await app.StartAsync(cancellationToken);
        _app = app;
        ServerLog.Listening(_logger, _policy.BaseName, string.Join(", ", Addresses));
    }

    private IResult Models()
    {
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return Results.Json(new ModelList("list", [.. _policy.Models.Select(m =>
            new ModelCard(m.Name, "model", created, "gigpo", m.Name, m.Parent, _policy.Config.MaxPositionEmbeddings))]), OpenAiJson.Options);
    }

    /// <summary>The most header bytes a request may send (Kestrel's default limit).</summary>
    private const int MaxHeaderBytes = 32 * 1024;

    /// <summary>The API key, then every refusal and failure as OpenAI's error object.</summary>
    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            if (context.Request.Headers.Sum(h => h.Key.Length + h.Value.Sum(v => v?.Length ?? 0)) > MaxHeaderBytes)
                throw new OpenAiException(StatusCodes.Status431RequestHeaderFieldsTooLarge,
                    $"The request's headers are larger than this server's {MaxHeaderBytes / 1024} KiB; send fewer or shorter headers.");
            if (_options.ApiKey is { Length: > 0 } key && !KeyMatches(context.Request, key))
                throw new OpenAiException(StatusCodes.Status401Unauthorized, "Missing or wrong API key: send Authorization: Bearer <key> (or X-Api-Key).");
            await next(context);
        }
        catch (OpenAiException e)
        {
            ServerLog.Rejected(_logger, context.Request.Path, e.Status, e.Message);
            await WriteErrorAsync(context, e.Status, new ErrorDetail(e.Message, e.Type, e.Param, e.Code));
        }
        catch (BadHttpRequestException e)
        {
            ServerLog.Rejected(_logger, context.Request.Path, e.StatusCode, e.Message);
            await WriteErrorAsync(context, e.StatusCode, new ErrorDetail(e.Message, "invalid_request_error", null, null));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client has gone
        }
        catch (Exception e)
        {
            // The details (a native backtrace, the server's paths) go to the server's log, not to a client.
            var (error, reference) = ServerFailure.Describe(e);
            ServerLog.Failed(_logger, e, context.Request.Path, reference);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError, error);
        }
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, ErrorDetail error)
    {
        if (context.Response.HasStarted) return;
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ErrorBody(error), OpenAiJson.Options);
    }

    private static bool KeyMatches(HttpRequest request, string expected)
    {
        var authorization = request.Headers.Authorization.ToString();
        var given = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : request.Headers["X-Api-Key"].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
    }

    /// <summary>Stops listening, then frees the weights.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        await _batcher.DisposeAsync();
        _policy.Dispose();
    }
}
