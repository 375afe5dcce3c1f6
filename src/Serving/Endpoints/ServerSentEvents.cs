using System.Text.Json;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>A streamed answer as OpenAI sends it: <c>text/event-stream</c>, one <c>data: {json}</c> event per chunk, then <c>data: [DONE]</c>.</summary>
internal sealed class ServerSentEvents(IEnumerable<object> chunks) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        foreach (var chunk in chunks)
        {
            await response.WriteAsync("data: " + JsonSerializer.Serialize(chunk, chunk.GetType(), OpenAiJson.Options) + "\n\n", httpContext.RequestAborted);
            await response.Body.FlushAsync(httpContext.RequestAborted);
        }
        await response.WriteAsync("data: [DONE]\n\n", httpContext.RequestAborted);
    }
}
