namespace GiGpoNet.Environments.Household;

/// <summary>
/// <c>household</c>: an ALFWorld-like text environment. A seeded room of receptacles (some closed) and objects, one of ALFWorld's six
/// task types, observations phrased as ALFWorld's, the admissible commands listed each turn, reward 10 on success (then done).
/// The step limit (50 by default) is enforced by the rollout loop.
/// </summary>
public sealed class HouseholdEnvironment : IEnvironment, IExpertEnvironment
{
    private readonly HouseholdOptions _options;
    private HouseholdWorld? _world;

    /// <summary>A household environment with the default options (standard rooms).</summary>
    public HouseholdEnvironment() : this(new HouseholdOptions()) { }

    /// <summary>A household environment with <paramref name="options"/> (bound from <c>Environments:household</c>).</summary>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public HouseholdEnvironment(HouseholdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>The environment's description.</summary>
    public static EnvironmentDescription Description { get; } = new(
        "household", 50, HouseholdTaskTypes.All,
        "You are an expert agent operating in the ALFRED Embodied Environment.");

    /// <inheritdoc />
    public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        _world = HouseholdGenerator.Generate(TaskSeeds.For(reset.TaskSeed, reset.Split), _options.RoomSize);
        return ValueTask.FromResult(Observe(_world.Introduction()));
    }

    /// <inheritdoc />
    public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        var world = _world ?? throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        if (world.Won) throw new InvalidOperationException("The episode is over; call ResetAsync to start another.");
        var text = world.Step(action ?? string.Empty);
        return ValueTask.FromResult(new EnvironmentStep(Observe(text), world.Won ? 10 : 0, world.Won, world.Won));
    }

    /// <inheritdoc />
    public string? ExpertAction() => HouseholdExpert.NextAction(_world ?? throw new InvalidOperationException("Call ResetAsync first."));

    /// <summary>A canonical text of the whole state (tests).</summary>
    internal string Fingerprint() => _world!.Fingerprint();

    private EnvironmentObservation Observe(string text) =>
        new(text, _world!.Goal.Describe(), HouseholdTaskTypes.Name(_world.Goal.Type), _world.AdmissibleActions());

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
