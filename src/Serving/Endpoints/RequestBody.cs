using System.Text.Json;
using GiGpoNet.Serving.Protocol;
using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>Reads a request's JSON body; what cannot be read becomes a 4xx OpenAI error that says why.</summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context) where T : class
    {
        if (!context.Request.HasJsonContentType())
            throw new OpenAiException(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON: send Content-Type: application/json.");
        try
        {
            return await context.Request.ReadFromJsonAsync<T>(OpenAiJson.Options, context.RequestAborted)
                   ?? throw OpenAiException.BadRequest("The body is JSON null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : null; // "$.max_tokens" → "max_tokens"
            throw OpenAiException.BadRequest(field is null ? $"The body is not valid JSON: {e.Message}" : $"'{field}' has the wrong type or value: {e.Message}", field);
        }
    }
}
