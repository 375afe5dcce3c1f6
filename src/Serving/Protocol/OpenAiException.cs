using Microsoft.AspNetCore.Http;

namespace GiGpoNet.Serving.Protocol;

/// <summary>A request the server refuses: answered with the OpenAI error object and a 4xx status, never a crash.</summary>
internal sealed class OpenAiException(int status, string message, string? param = null, string? code = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>OpenAI's error types by status.</summary>
    public string Type => Status switch
    {
        StatusCodes.Status401Unauthorized => "authentication_error",
        StatusCodes.Status404NotFound => "not_found_error",
        StatusCodes.Status413PayloadTooLarge => "invalid_request_error",
        StatusCodes.Status429TooManyRequests => "rate_limit_error",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    public static OpenAiException BadRequest(string message, string? param = null) => new(StatusCodes.Status400BadRequest, message, param);

    public static OpenAiException ModelNotFound(string model, IEnumerable<string> served) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' does not exist; served: {string.Join(", ", served)}.", "model", "model_not_found");
}

/// <summary>The body of an error answer: <c>{"error": {"message", "type", "param", "code"}}</c>.</summary>
internal sealed record ErrorBody(ErrorDetail Error);

/// <summary>The error object.</summary>
internal sealed record ErrorDetail(string Message, string Type, string? Param, string? Code);
