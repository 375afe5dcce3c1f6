namespace GiGpoNet.Environments;

/// <summary>
/// Creates instances of one kind of environment. <c>builder.AddEnvironment&lt;TEnvironment&gt;(description)</c> (or
/// <c>AddEnvironment&lt;TEnvironment, TOptions&gt;</c>, with options bound from <c>Environments:&lt;name&gt;</c>) registers one, keyed by the
/// description's name; it is then selectable with <c>Training:Environment</c>. To build instances yourself, register your own
/// factory with <c>services.AddKeyedSingleton&lt;IEnvironmentFactory&gt;(name, ...)</c> beside an <see cref="EnvironmentRegistry"/> entry.
/// </summary>
public interface IEnvironmentFactory
{
    /// <summary>What the environment is, for prompts and metrics.</summary>
    EnvironmentDescription Description { get; }

    /// <summary>A new environment instance; call <see cref="IEnvironment.ResetAsync"/> before stepping it.</summary>
    IEnvironment Create();
}

/// <summary>Facts about an environment that the rollout loop and prompts need.</summary>
/// <param name="Name">The registered name.</param>
/// <param name="DefaultMaxSteps">The step limit per episode unless configured otherwise.</param>
/// <param name="TaskTypes">The task types it reports, for per-type success rates.</param>
/// <param name="AgentRole">The role line that opens every prompt.</param>
/// <param name="ListsAdmissibleActions">Whether observations carry the admissible actions.</param>
public sealed record EnvironmentDescription(string Name, int DefaultMaxSteps, IReadOnlyList<string> TaskTypes, string AgentRole,
    bool ListsAdmissibleActions = true);
