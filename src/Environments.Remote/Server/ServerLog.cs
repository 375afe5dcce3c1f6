using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Remote.Server;

/// <summary>The environment server's log messages (source-generated, so that a disabled level costs nothing).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Serving {Environments} on {Addresses}")]
    public static partial void Listening(ILogger logger, string environments, string addresses);

    [LoggerMessage(2, LogLevel.Information, "Created {Count} instances of {Environment}")]
    public static partial void Created(ILogger logger, int count, string environment);

    [LoggerMessage(3, LogLevel.Warning, "{Operation} of instance {Id} failed; the client is told: {Message}")]
    public static partial void EnvironmentFailed(ILogger logger, Exception exception, string operation, string id, string message);

    [LoggerMessage(4, LogLevel.Warning, "Rejected a request to {Path} with status {Status}: {Message}")]
    public static partial void Rejected(ILogger logger, string path, int status, string message);

    [LoggerMessage(6, LogLevel.Warning, "Rejected a request with status {Status}: {Message}")]
    public static partial void Rejected(ILogger logger, int status, string message);

    [LoggerMessage(5, LogLevel.Information, "Closed {Count} instances")]
    public static partial void Closed(ILogger logger, int count);
}
