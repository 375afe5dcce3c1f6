using System.Diagnostics;
using GiGpoNet.Serving.Engine;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>
/// Weight changes at run time, in the shapes of the servers a trainer already drives: vLLM's <c>/v1/load_lora_adapter</c> and
/// <c>/v1/unload_lora_adapter</c> (plain-text success), SGLang's <c>/update_weights_from_disk</c>. Each answers once the change is in place:
/// every request after it uses the new weights.
/// </summary>
internal sealed class WeightsEndpoints(ServedPolicy policy, TimeSpan timeout, ILogger logger)
{
    public async Task<IResult> LoadAdapterAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<LoadLoraAdapterRequest>(context);
        var (name, path) = (Required(request.LoraName, "lora_name"), Required(request.LoraPath, "lora_path"));
        var watch = Stopwatch.StartNew();
        using var files = await AsideAsync(() => policy.ReadAdapter(name, path), "lora_path", context.RequestAborted);
        await UnderGateAsync(() => policy.AttachAdapter(name, files), context.RequestAborted);
        ServerLog.AdapterLoaded(logger, name, path, watch.Elapsed.TotalMilliseconds);
        return Results.Text($"Success: LoRA adapter '{name}' added successfully.");
    }

    public async Task<IResult> UnloadAdapterAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<UnloadLoraAdapterRequest>(context);
        var name = Required(request.LoraName, "lora_name");
        await UnderGateAsync(() => policy.UnloadAdapter(name), context.RequestAborted);
        ServerLog.AdapterUnloaded(logger, name);
        return Results.Text($"Success: LoRA adapter '{name}' removed successfully.");
    }

    public async Task<IResult> UpdateWeightsAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<UpdateWeightsRequest>(context);
        var path = Required(request.ModelPath, "model_path");
        var watch = Stopwatch.StartNew();
        var weights = await AsideAsync(() => policy.LoadAside(path), "model_path", context.RequestAborted);
        IReadOnlyList<string> unloaded;
        try
        {
            await policy.Gate.WaitAsync(context.RequestAborted); // nothing in flight sees the swap half-way
        }
        catch
        {
            weights.Dispose();
            throw;
        }
        try
        {
            unloaded = policy.SwapIn(weights);
        }
        finally
        {
            policy.Gate.Release();
        }
        ServerLog.WeightsReloaded(logger, path, watch.Elapsed.TotalMilliseconds);
        var message = $"Weights loaded from '{path}' in {watch.Elapsed.TotalSeconds:F2} s." +
                      (unloaded.Count > 0 ? $" Unloaded the adapters trained on the old weights: {string.Join(", ", unloaded)}." : "");
        return Results.Json(new UpdateWeightsResponse(true, message), OpenAiJson.Options);
    }

    /// <summary>
    /// Runs a load off the request thread and without the gate, so that generation goes on; one that takes longer than the server's
    /// limit is answered 504 (what it loads is freed when it ends).
    /// </summary>
    private async Task<T> AsideAsync<T>(Func<T> load, string field, CancellationToken cancellationToken) where T : IDisposable
    {
        var loading = Task.Run(load, CancellationToken.None);
        try
        {
            return await loading.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            _ = loading.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw new OpenAiException(StatusCodes.Status504GatewayTimeout, $"Loading '{field}' took longer than {timeout.TotalSeconds:0} s (the server's " +
                "weight-load time-out); give a folder on a faster disk, or start the server with a longer --weight-load-timeout-seconds.", field);
        }
        catch (OperationCanceledException)
        {
            _ = loading.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw;
        }
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw OpenAiException.BadRequest($"{field} is missing.", field) : value;

    private async Task<TimeSpan> UnderGateAsync(Action change, CancellationToken cancellationToken)
    {
        await policy.Gate.WaitAsync(cancellationToken);
        try
        {
            var watch = Stopwatch.StartNew();
            change();
            return watch.Elapsed;
        }
        finally
        {
            policy.Gate.Release();
        }
    }
}
