using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GiGpoNet.Environments.Remote.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Remote.Server;

/// <summary>
/// Serves registered environments over the remote-environment protocol (docs/remote-environments.md): create, reset, step and close,
/// each batched, plus <c>/v1/info</c> and <c>/openapi.json</c>. Steps are idempotent per step number, so a client may retry safely.
/// </summary>
public sealed class RemoteEnvironmentServer : IAsyncDisposable
{
    private readonly Dictionary<string, IEnvironmentFactory> _factories;
    private readonly RemoteEnvironmentServerOptions _options;
    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly Lock _createLock = new();
    private readonly ILogger _logger;
    private WebApplication? _app;

    private sealed class Instance(IEnvironment environment)
    {
        public IEnvironment Environment { get; } = environment;
        public SemaphoreSlim Lock { get; } = new(1, 1);
        public int NextStep { get; set; } = -1;
        public ItemResult? LastStep { get; set; }
    }

    /// <summary>Creates a server for <paramref name="factories"/>.</summary>
    /// <param name="factories">The environments served, by their names.</param>
    /// <param name="options">Where to listen and the limits.</param>
    /// <param name="logger">
    /// Where the server's own events go: start, creations and closes (information), environment faults and rejected requests (warnings).
    /// ASP.NET Core's request logs are left out. Default: none.
    /// </param>
    public RemoteEnvironmentServer(IEnumerable<IEnvironmentFactory> factories, RemoteEnvironmentServerOptions options, ILogger<RemoteEnvironmentServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(factories);
        _factories = factories.ToDictionary(f => f.Description.Name, StringComparer.OrdinalIgnoreCase);
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
        app.Use(async (context, next) =>
        {
            if (_options.ApiKey is { Length: > 0 } key && !KeyMatches(context.Request.Headers["X-Api-Key"].ToString(), key))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsJsonAsync(new ErrorResponse("missing or wrong X-Api-Key header"), RemoteJson.Options);
                return;
            }
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e)
            {
                ServerLog.Rejected(_logger, context.Request.Path, e.StatusCode, e.Message);
                context.Response.StatusCode = e.StatusCode;
                await context.Response.WriteAsJsonAsync(new ErrorResponse(e.Message), RemoteJson.Options);
            }
        });

        app.MapGet("/openapi.json", () => Results.Text(OpenApiDocument(), "application/json"));
        app.MapGet("/v1/info", () => Results.Json(new InfoResponse(1, [.. _factories.Values.Select(f => new EnvironmentInfo(
            f.Description.Name, f.Description.DefaultMaxSteps, f.Description.TaskTypes, f.Description.AgentRole, f.Description.ListsAdmissibleActions))]), RemoteJson.Options));
        // Typed as Func<..., Task<IResult>>: a plain lambda over HttpContext would bind as a RequestDelegate and drop the result.
        app.MapPost("/v1/create", (Func<HttpContext, Task<IResult>>)(async c => Create(await ReadAsync<CreateRequest>(c))));
        app.MapPost("/v1/reset", (Func<HttpContext, Task<IResult>>)(async c => await ResetAsync(await ReadAsync<ResetRequest>(c), c.RequestAborted)));
        app.MapPost("/v1/step", (Func<HttpContext, Task<IResult>>)(async c => await StepAsync(await ReadAsync<StepRequest>(c), c.RequestAborted)));
        app.MapPost("/v1/close", (Func<HttpContext, Task<IResult>>)(async c => await CloseAsync(await ReadAsync<CloseRequest>(c))));
        await app.StartAsync(cancellationToken);
        _app = app;
        ServerLog.Listening(_logger, string.Join(", ", _factories.Keys), string.Join(", ", Addresses));
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context) where T : class
    {
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(RemoteJson.Options, context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException($"the body is not valid JSON for this call: {e.Message}", StatusCodes.Status400BadRequest);
        }
        catch (InvalidOperationException e)
        {
            throw new BadHttpRequestException($"the body must be JSON (Content-Type: application/json): {e.Message}", StatusCodes.Status415UnsupportedMediaType);
        }
    }

    private IResult Create(CreateRequest? request)
    {
        if (request is null || request.Count < 1) return Error(StatusCodes.Status400BadRequest, "create needs {\"environment\": name, \"count\": n ≥ 1}");
        if (!_factories.TryGetValue(request.Environment ?? "", out var factory))
            return Error(StatusCodes.Status404NotFound, $"unknown environment '{request.Environment}'; served: {string.Join(", ", _factories.Keys)}");
        lock (_createLock) // the check and the creation together, so concurrent creates cannot pass the limit between them
        {
            if (request.Count > _options.MaxInstances - _instances.Count) // written so that no sum can overflow
                return Error(StatusCodes.Status429TooManyRequests,
                    $"{request.Count} more instances would pass the limit of {_options.MaxInstances} alive ({_instances.Count} now); close some first");
            var ids = new List<string>(request.Count);
            for (var i = 0; i < request.Count; i++)
            {
                var id = Guid.NewGuid().ToString("N");
                _instances[id] = new Instance(factory.Create());
                ids.Add(id);
            }
            ServerLog.Created(_logger, ids.Count, factory.Description.Name);
            return Results.Json(new CreateResponse(ids), RemoteJson.Options);
        }
    }

    private async Task<IResult> ResetAsync(ResetRequest? request, CancellationToken cancellationToken)
    {
        if (request?.Items is not { } items || items.Any(i => i is null))
            return Error(StatusCodes.Status400BadRequest, "reset needs {\"items\": [{\"id\", \"task_seed\", \"split\"}]}, with no null item");
        var results = await Task.WhenAll(items.Select(async item =>
        {
            if (!_instances.TryGetValue(item.Id ?? "", out var instance)) return Failed(item.Id, "unknown instance id");
            if (!TryParseSplit(item.Split, out var split))
                return Failed(item.Id, $"unknown split '{item.Split}'; use train, validation or test");
            await instance.Lock.WaitAsync(cancellationToken);
            try
            {
                var observation = await instance.Environment.ResetAsync(new EnvironmentReset(item.TaskSeed, split), cancellationToken);
                instance.NextStep = 0;
                instance.LastStep = null;
                return new ItemResult(item.Id!, RemoteJson.ToDto(observation), 0, false, false, null, null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.EnvironmentFailed(_logger, e, "reset", item.Id!, e.Message);
                return Failed(item.Id, $"reset failed: {e.Message}");
            }
            finally
            {
                instance.Lock.Release();
            }
        }));
        return Results.Json(new ItemsResponse(results), RemoteJson.Options);
    }

    private async Task<IResult> StepAsync(StepRequest? request, CancellationToken cancellationToken)
    {
        if (request?.Items is not { } items || items.Any(i => i is null))
            return Error(StatusCodes.Status400BadRequest, "step needs {\"items\": [{\"id\", \"step\", \"action\"}]}, with no null item");
        var results = await Task.WhenAll(items.Select(async item =>
        {
            if (!_instances.TryGetValue(item.Id ?? "", out var instance)) return Failed(item.Id, "unknown instance id");
            await instance.Lock.WaitAsync(cancellationToken);
            try
            {
                if (instance.NextStep < 0) return Failed(item.Id, "reset the instance before stepping it");
                if (item.Step == instance.NextStep - 1 && instance.LastStep is { } repeated) return repeated; // a retry
                if (item.Step != instance.NextStep)
                    return Failed(item.Id, $"step {item.Step} is out of sequence; the next step is {instance.NextStep}");
                var outcome = await instance.Environment.StepAsync(item.Action ?? "", cancellationToken);
                var result = new ItemResult(item.Id!, RemoteJson.ToDto(outcome.Observation), outcome.Reward, outcome.Done, outcome.Won, outcome.Score, null);
                instance.LastStep = result;
                instance.NextStep++;
                return result;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.EnvironmentFailed(_logger, e, "step", item.Id!, e.Message);
                return Failed(item.Id, $"step failed: {e.Message}");
            }
            finally
            {
                instance.Lock.Release();
            }
        }));
        return Results.Json(new ItemsResponse(results), RemoteJson.Options);
    }

    private async Task<IResult> CloseAsync(CloseRequest? request)
    {
        if (request?.Ids is { } given && given.Any(i => i is null))
            return Error(StatusCodes.Status400BadRequest, "close needs {\"ids\": [id, ...]}, with no null id");
        var closed = 0;
        foreach (var id in request?.Ids ?? [])
        {
            if (!_instances.TryRemove(id, out var instance)) continue;
            await instance.Environment.DisposeAsync();
            closed++;
        }
        if (closed > 0) ServerLog.Closed(_logger, closed);
        return Results.Json(new { closed }, RemoteJson.Options);
    }

    /// <summary>A split by its name only (<c>train</c>, <c>validation</c>, <c>test</c>, any case): no numbers, no comma lists.</summary>
    private static bool TryParseSplit(string? text, out DatasetSplit split)
    {
        split = default;
        var name = Enum.GetNames<DatasetSplit>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return name is not null && Enum.TryParse(name, out split);
    }

    private static ItemResult Failed(string? id, string error) => new(id ?? "", null, 0, false, false, null, error);

    private IResult Error(int status, string message)
    {
        ServerLog.Rejected(_logger, status, message);
        return Results.Json(new ErrorResponse(message), RemoteJson.Options, statusCode: status);
    }

    private static bool KeyMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));

    /// <summary>The protocol's OpenAPI description.</summary>
    public static string OpenApiDocument()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("remote-environments.openapi.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Stops listening and disposes every instance.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        foreach (var instance in _instances.Values) await instance.Environment.DisposeAsync();
        _instances.Clear();
    }
}
