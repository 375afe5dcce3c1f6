using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Learning;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Checkpoints in the run folder's <c>checkpoints/</c>; a failed save keeps the previous checkpoint, a full disk stops the run; with
/// <c>Training:KeepCheckpoints</c>, only the newest are kept.
/// </summary>
internal sealed class CheckpointStore(IOptions<TrainingOptions> training) : ICheckpointStore
{
    private readonly TrainingOptions _training = training.Value;

    public string? Latest(string runFolder) => TrainingCheckpoint.Latest(runFolder);

    public CheckpointState Verify(string checkpoint) => TrainingCheckpoint.Verify(checkpoint);

    public string? Configuration(string checkpoint) =>
        File.Exists(Path.Combine(checkpoint, AgentTrainer.ConfigurationFileName)) ? File.ReadAllText(Path.Combine(checkpoint, AgentTrainer.ConfigurationFileName)) : null;

    public TrainingEvent Save(string runFolder, CheckpointState state, ILearner learner, string configuration)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(learner);
        try
        {
            TrainingCheckpoint.Save(runFolder, state, learner.SaveState, configuration);
            if (_training.KeepCheckpoints > 0) TrainingCheckpoint.Prune(runFolder, _training.KeepCheckpoints);
            return new TrainingEvent(TrainingEventKind.Checkpoint, state.Iteration, new Dictionary<string, double> { ["saved"] = 1 });
        }
        catch (IOException e) when (DiskFull(e))
        {
            // Training on would only lose more: every later save and metric line would fail too. The save wrote to a temporary folder,
            // so the previous checkpoint is whole, and the same command resumes from it.
            var kept = Latest(runFolder) is { } latest ? $"'{Path.GetFileName(latest)}' is intact" : "no earlier checkpoint exists";
            throw new IOException($"The disk is full: the checkpoint of iteration {state.Iteration} could not be saved ({e.Message}); {kept}. " +
                                  "Free some space and run the same command again to resume.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No permission or another I/O failure: the save fails, the previous checkpoint stays, training goes on.
            return new TrainingEvent(TrainingEventKind.Checkpoint, state.Iteration, new Dictionary<string, double> { ["saved"] = 0 },
                $"the checkpoint of iteration {state.Iteration} could not be saved ({e.Message}); the previous checkpoint is kept.");
        }
    }

    /// <summary>ENOSPC on Unix, ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL on Windows.</summary>
    private static bool DiskFull(IOException e) => e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027)
        || e.Message.Contains("No space left on device", StringComparison.Ordinal);
}
