namespace GiGpoNet.Environments;

/// <summary>
/// A multi-turn text environment. The N members of a group are reset with the same <see cref="EnvironmentReset"/>
/// and must then be in the identical task and initial state; that is what makes GiGPO's anchor states recur.
/// </summary>
/// <remarks>Built-in environments are synchronous and return completed tasks; remote ones talk HTTP.</remarks>
public interface IEnvironment : IAsyncDisposable
{
    /// <summary>Starts an episode of the task chosen by <paramref name="reset"/>.</summary>
    ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default);

    /// <summary>Applies a text action (already parsed out of the model's output) and returns what followed.</summary>
    ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default);
}

/// <summary>Which task to start: a seed and a split.</summary>
/// <param name="TaskSeed">Chooses the task and initial state deterministically.</param>
/// <param name="Split">The data split the task is drawn from.</param>
public readonly record struct EnvironmentReset(long TaskSeed, DatasetSplit Split);

/// <summary>The data split a task comes from.</summary>
public enum DatasetSplit
{
    /// <summary>Tasks used for training.</summary>
    Train,

    /// <summary>Held-out tasks used for evaluation during training.</summary>
    Validation,

    /// <summary>Held-out tasks used for final evaluation.</summary>
    Test,
}

/// <summary>What the agent sees.</summary>
/// <param name="Text">The raw observation text; it is also the step's anchor state.</param>
/// <param name="Task">The task description (for example ALFWorld's "put a clean mug in coffeemachine").</param>
/// <param name="TaskType">The task's type, for per-type success rates.</param>
/// <param name="AdmissibleActions">The actions the environment accepts now, when it can list them.</param>
public sealed record EnvironmentObservation(string Text, string Task, string TaskType, IReadOnlyList<string>? AdmissibleActions);

/// <summary>The outcome of one action.</summary>
/// <param name="Observation">The next observation.</param>
/// <param name="Reward">The reward for this step.</param>
/// <param name="Done">Whether the episode ended.</param>
/// <param name="Won">Whether the task was accomplished.</param>
/// <param name="Score">A graded task score in [0, 1] where the environment has one (WebShop-style), else <c>null</c>.</param>
public sealed record EnvironmentStep(EnvironmentObservation Observation, double Reward, bool Done, bool Won, double? Score = null);
