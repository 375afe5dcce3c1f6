using System.Text.Json;
using System.Text.Unicode;
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
            // The whole body (Kestrel bounds its size) is checked as UTF-8 first: System.Text.Json finds a bad string only when it is read,
            // possibly long after parsing, and then not as a JsonException.
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var bytes = body.GetBuffer().AsMemory(0, (int)body.Length);
            if (!Utf8.IsValid(bytes.Span)) throw OpenAiException.BadRequest("The body is not valid UTF-8; send JSON encoded as UTF-8.");
            RefuseLoneSurrogates(bytes.Span);
            return JsonSerializer.Deserialize<T>(bytes.Span, OpenAiJson.Options) ?? throw OpenAiException.BadRequest("The body is JSON null; send a JSON object.");
        }
        catch (JsonException e)
        {
            var field = e.Path is { Length: > 2 } path ? path[2..] : null; // "$.max_tokens" → "max_tokens"
            throw OpenAiException.BadRequest(field is null ? $"The body is not valid JSON: {e.Message}" : $"'{field}' has the wrong type or value: {e.Message}", field);
        }
    }

    /// <summary>
    /// Refuses a string escape that is half a UTF-16 pair (<c>"\ud800"</c>): valid JSON, but no text, and .NET throws only when such a
    /// string is finally read, wherever that is.
    /// </summary>
    private static void RefuseLoneSurrogates(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException)
            {
                throw OpenAiException.BadRequest($"A string in the body ({(reader.TokenType == JsonTokenType.PropertyName ? "a key" : "a value")}) holds a " +
                                                 "lone UTF-16 surrogate, an escape such as \\ud800 without its pair, which is no character; send valid text.");
            }
        }
    }
}
