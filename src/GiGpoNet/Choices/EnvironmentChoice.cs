namespace GiGpoNet;

/// <summary>An environment chosen from <see cref="AgentContext.Environments"/>: its registered name and settings.</summary>
/// <param name="Name">The registered name (<c>Training:Environment</c>).</param>
/// <param name="Settings">Configuration keys and values (<c>Environments:&lt;name&gt;:...</c>, <c>RemoteEnvironments:...</c>).</param>
public sealed record EnvironmentChoice(string Name, IReadOnlyDictionary<string, string> Settings);
