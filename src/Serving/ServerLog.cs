using Microsoft.Extensions.Logging;

namespace GiGpoNet.Serving;

/// <summary>The policy server's log messages (source-generated, so that a disabled level costs nothing).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Information, "Serving {Model} on {Addresses}")]
    public static partial void Listening(ILogger logger, string model, string addresses);

    [LoggerMessage(2, LogLevel.Information, "Loaded LoRA adapter {Name} from {Path} in {Milliseconds:F0} ms")]
    public static partial void AdapterLoaded(ILogger logger, string name, string path, double milliseconds);

    [LoggerMessage(3, LogLevel.Information, "Unloaded LoRA adapter {Name}")]
    public static partial void AdapterUnloaded(ILogger logger, string name);

    [LoggerMessage(4, LogLevel.Information, "Reloaded the weights from {Path} in {Milliseconds:F0} ms")]
    public static partial void WeightsReloaded(ILogger logger, string path, double milliseconds);

    [LoggerMessage(5, LogLevel.Warning, "Rejected a request to {Path} with status {Status}: {Message}")]
    public static partial void Rejected(ILogger logger, string path, int status, string message);

    [LoggerMessage(6, LogLevel.Error, "A request to {Path} failed (reference {Reference})")]
    public static partial void Failed(ILogger logger, Exception exception, string path, string reference);
}
