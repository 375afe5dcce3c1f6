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
internal sealed class WeightsEndpoints(ServedPolicy policy, ILogger logger)
{
    public async Task<IResult> LoadAdapterAsync(HttpContext context)
    {
        var request = await RequestBody.ReadAsync<LoadLoraAdapterRequest>(context);
        var (name, path) = (Required(request.LoraName, "lora_name"), Required(request.LoraPath, "lora_path"));
        var elapsed = await UnderGateAsync(() => policy.LoadAdapter(name, path), context.RequestAborted);
        ServerLog.AdapterLoaded(logger, name, path, elapsed.TotalMilliseconds);
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
        IReadOnlyList<string> unloaded = [];
        var elapsed = await UnderGateAsync(() => unloaded = policy.Reload(path), context.RequestAborted);
        ServerLog.WeightsReloaded(logger, path, elapsed.TotalMilliseconds);
        var message = $"Weights loaded from '{path}' in {elapsed.TotalSeconds:F2} s." +
                      (unloaded.Count > 0 ? $" Unloaded the adapters trained on the old weights: {string.Join(", ", unloaded)}." : "");
        return Results.Json(new UpdateWeightsResponse(true, message), OpenAiJson.Options);
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
