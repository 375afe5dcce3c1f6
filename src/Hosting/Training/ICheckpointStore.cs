using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// The run folder's resumable checkpoints (<see cref="TrainingCheckpoint"/>). Replace it with
/// <c>services.AddSingleton&lt;ICheckpointStore, MyStore&gt;()</c> to keep them elsewhere.
/// </summary>
public interface ICheckpointStore
{
    /// <summary>The newest complete checkpoint of <paramref name="runFolder"/>, or null.</summary>
    string? Latest(string runFolder);

    /// <summary>Reads and verifies a checkpoint's state.</summary>
    /// <exception cref="InvalidDataException">A file is missing or does not match its hash.</exception>
    CheckpointState Verify(string checkpoint);

    /// <summary>The effective configuration a checkpoint was saved with, or null when it records none.</summary>
    string? Configuration(string checkpoint) => null;

    /// <summary>
    /// Saves the learner's state with <paramref name="state"/> and the run's configuration; returns the <see cref="TrainingEventKind.Checkpoint"/>
    /// event (with a warning when it could not be saved and training can go on).
    /// </summary>
    /// <exception cref="IOException">The disk is full: training on would only lose more.</exception>
    TrainingEvent Save(string runFolder, CheckpointState state, ILearner learner, string configuration);
}
