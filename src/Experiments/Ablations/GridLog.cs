using Microsoft.Extensions.Logging;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>The grid runner's log messages.</summary>
internal static partial class GridLog
{
    [LoggerMessage(1, LogLevel.Information, "Cell {Cell} started in {Folder}")]
    public static partial void Started(ILogger logger, string cell, string folder);

    [LoggerMessage(2, LogLevel.Information, "Cell {Cell} finished after {Attempts} attempt(s)")]
    public static partial void Finished(ILogger logger, string cell, int attempts);

    [LoggerMessage(3, LogLevel.Warning, "Cell {Cell} failed after {Attempts} attempt(s), exit code {ExitCode}: {Message}")]
    public static partial void Failed(ILogger logger, string cell, int attempts, int exitCode, string message);
}
