namespace GiGpoNet.Hosting.Training;

/// <summary>Something the trainer reports while it runs.</summary>
/// <param name="Kind"><c>warm_start</c>, <c>iteration</c>, <c>evaluation</c> or <c>finished</c>.</param>
/// <param name="Iteration">The RL iteration (0 before the first).</param>
/// <param name="Metrics">Named figures (success rates, losses, times in seconds, ...).</param>
public sealed record TrainingEvent(string Kind, int Iteration, IReadOnlyDictionary<string, double> Metrics);
