using Microsoft.Extensions.Logging;

namespace GiGpoNet.Hosting.Training;

/// <summary>The trainer's log messages (source-generated, so that a disabled level costs nothing).</summary>
internal static partial class TrainerLog
{
    [LoggerMessage(1, LogLevel.Information, "Training {Algorithm} on {Environment}, seed {Seed}, in {Folder}")]
    public static partial void Starting(ILogger logger, string algorithm, string environment, long seed, string folder);

    [LoggerMessage(2, LogLevel.Information, "Resuming from {Checkpoint} after iteration {Iteration}")]
    public static partial void Resuming(ILogger logger, string checkpoint, int iteration);

    [LoggerMessage(3, LogLevel.Debug, "{Kind} {Iteration}: success {Success}")]
    public static partial void Event(ILogger logger, string kind, int iteration, double success);

    [LoggerMessage(4, LogLevel.Warning, "{Kind} {Iteration}: {Warning}")]
    public static partial void Warning(ILogger logger, string kind, int iteration, string warning);

    [LoggerMessage(6, LogLevel.Information, "The learner: {Description}")]
    public static partial void Learner(ILogger logger, string description);

    [LoggerMessage(5, LogLevel.Information, "Finished after iteration {Iteration}: final success {Success}, {EnvironmentSteps} environment steps")]
    public static partial void Finished(ILogger logger, int iteration, double success, long environmentSteps);
}
