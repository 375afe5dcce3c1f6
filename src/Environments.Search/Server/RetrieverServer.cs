using System.Text;
using System.Text.Json;
using GiGpoNet.Environments.Search.Retrieval;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Search.Server;

/// <summary>
/// Serves an <see cref="IRetriever"/> over Search-R1's retrieval API: <c>POST /retrieve</c> with <c>{"queries": [...], "topk": k,
/// "return_scores": true}</c> answers <c>{"result": [[{"document": {"id", "contents"}, "score"}, ...], ...]}</c> (without scores, the
/// documents alone), <c>contents</c> being the title in double quotes, a newline and the text. <c>GET /health</c> answers
/// <c>{"status": "ok"}</c>. A request outside the API gets 400 and <c>{"error": "..."}</c>.
/// </summary>
public sealed class RetrieverServer : IAsyncDisposable
{
    private readonly IRetriever _retriever;
    private readonly RetrieverServerOptions _options;
    private readonly ILogger _logger;
    private WebApplication? _app;

    /// <summary>Creates a server for <paramref name="retriever"/>.</summary>
    public RetrieverServer(IRetriever retriever, RetrieverServerOptions options, ILogger<RetrieverServer>? logger = null)
    {
        _retriever = retriever ?? throw new ArgumentNullException(nameof(retriever));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The addresses the server listens on, once started.</summary>
    public IReadOnlyList<string> Addresses =>
        _app?.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Starts listening.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(_options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = _options.MaxRequestBytes);
        var app = builder.Build();
        app.MapGet("/health", () => Results.Json(new { status = "ok" }));
        app.MapPost("/retrieve", (Delegate)RetrieveAsync);
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    private async Task<IResult> RetrieveAsync(HttpContext context)
    {
        RetrieveRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<RetrieveRequest>(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refuse(context, $"the body is larger than this server's {_options.MaxRequestBytes} bytes; send fewer queries per request",
                StatusCodes.Status413PayloadTooLarge);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException or DecoderFallbackException or InvalidOperationException)
        {
            return Refuse(context, $"the body is not a JSON retrieval request ({e.Message})");
        }
        if (request?.Queries is not { Count: > 0 } queries) return Refuse(context, "\"queries\" must be a non-empty array of strings");
        if (queries.Count > _options.MaxQueries) return Refuse(context, $"at most {_options.MaxQueries} queries per request (got {queries.Count})");
        if (queries.Any(q => q is null)) return Refuse(context, "every query must be a string");
        var topK = request.TopK ?? 3;
        if (topK < 1 || topK > _options.MaxTopK) return Refuse(context, $"\"topk\" must be in [1, {_options.MaxTopK}] (got {topK})");
        var results = await _retriever.RetrieveAsync(queries, topK, context.RequestAborted);
        return request.ReturnScores
            ? Results.Json(new { result = results.Select(list => list.Select(p => new ScoredDocument(RetrievedDocument.From(p), p.Score ?? 0))) })
            : Results.Json(new { result = results.Select(list => list.Select(RetrievedDocument.From)) });
    }

    private IResult Refuse(HttpContext context, string problem, int status = StatusCodes.Status400BadRequest)
    {
        RetrieverServerLog.Rejected(_logger, context.Request.Path, problem);
        return Results.Json(new RetrievalError(problem), statusCode: status);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is { } app) await app.DisposeAsync();
        _app = null;
    }
}
