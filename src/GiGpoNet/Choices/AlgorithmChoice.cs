namespace GiGpoNet;

/// <summary>
/// An advantage estimator chosen from <see cref="AgentContext.Algorithms"/>: its registered name and the settings its typed options
/// made, as the configuration keys (<c>Algorithms:&lt;name&gt;:...</c>) a settings file would give.
/// </summary>
/// <param name="Name">The registered name (<c>Training:Algorithm</c>).</param>
/// <param name="Settings">Configuration keys and values.</param>
public sealed record AlgorithmChoice(string Name, IReadOnlyDictionary<string, string> Settings);
