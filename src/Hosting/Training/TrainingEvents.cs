namespace GiGpoNet.Hosting.Training;

/// <summary>Something the trainer reports while it runs.</summary>
/// <param name="Kind">
/// <c>waiting_for_warm_start</c> (another run is training the cached warm start this run needs; it is loaded when stored),
/// <c>warm_start</c>, <c>iteration</c>, <c>evaluation</c>, <c>checkpoint</c> or <c>finished</c>.
/// </param>
/// <param name="Iteration">The RL iteration (0 before the first).</param>
/// <param name="Metrics">Named figures (success rates, losses, times in seconds, ...).</param>
/// <param name="Warning">Something the user should know that did not stop the run (a checkpoint that could not be saved, a warm start that could not be cached, a chart that could
/// not be drawn), or null.</param>
public sealed record TrainingEvent(string Kind, int Iteration, IReadOnlyDictionary<string, double> Metrics, string? Warning = null);
