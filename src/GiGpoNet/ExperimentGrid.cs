using GiGpoNet.Experiments.Ablations;

namespace GiGpoNet;

/// <summary>
/// An ablation grid defined in code (<see cref="ExperimentCatalog.Grid"/>): a base run, axes that vary its algorithm or its settings,
/// and the seeds. Every combination of one level per axis and one seed is a cell, run by <see cref="ExperimentCatalog.RunAsync"/>.
/// </summary>
public sealed class ExperimentGrid
{
    private readonly AgentContext _context;
    private readonly AlgorithmChoice _algorithm;
    private readonly EnvironmentChoice _environment;
    private readonly PolicyChoice _policy;
    private readonly Action<RunSettings>? _configure;
    private readonly List<AblationAxis> _axes = [];
    private List<long> _seeds;

    internal ExperimentGrid(AgentContext context, string name, AlgorithmChoice algorithm, EnvironmentChoice environment, PolicyChoice policy,
        Action<RunSettings>? configure)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        (_context, Name, _algorithm, _environment, _policy, _configure) = (context, name, algorithm, environment, policy, configure);
        _seeds = [context.Seed];
    }

    /// <summary>The grid's name (its report's title).</summary>
    public string Name { get; }

    /// <summary>An axis of algorithms: each level trains with its own estimator and options.</summary>
    /// <param name="axis">The axis's name (a table column), for example <c>algorithm</c>.</param>
    /// <param name="levels">Each level's label and algorithm.</param>
    public ExperimentGrid Compare(string axis, params (string Label, AlgorithmChoice Algorithm)[] levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        return Add(axis, levels.Select(l => (l.Label, Level(l.Algorithm, _environment, _policy, null))));
    }

    /// <summary>An axis of settings: each level changes the base run's settings.</summary>
    /// <param name="axis">The axis's name (a table column), for example <c>omega</c>.</param>
    /// <param name="levels">Each level's label and what it sets.</param>
    public ExperimentGrid Vary(string axis, params (string Label, Action<RunSettings> Set)[] levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        return Add(axis, levels.Select(l => (l.Label, Level(_algorithm, _environment, _policy, l.Set))));
    }

    /// <summary>The seeds every combination runs with (default: the context's seed).</summary>
    public ExperimentGrid Seeds(params long[] seeds)
    {
        if (seeds is not { Length: > 0 }) throw new ArgumentException("Give at least one seed.", nameof(seeds));
        _seeds = [.. seeds];
        return this;
    }

    /// <summary>The grid as <c>gigpo ablate</c> reads it from a grid file: the base run's keys, each level's keys that differ from them.</summary>
    public AblationGrid ToAblationGrid()
    {
        var baseKeys = Level(_algorithm, _environment, _policy, null);
        return new AblationGrid
        {
            Name = Name,
            Base = baseKeys,
            Axes = [.. _axes.Select(a => a with { Levels = [.. a.Levels.Select(l => l with { Settings = Difference(a.Name, l, baseKeys) })] })],
            Seeds = _seeds,
        };
    }

    /// <summary>
    /// What a level sets over the base run: the keys whose values differ, and the keys the base sets that the level leaves at their
    /// defaults (set to the default, since a cell is the base with its levels over it).
    /// </summary>
    private Dictionary<string, string> Difference(string axis, AblationLevel level, Dictionary<string, string> baseKeys)
    {
        var settings = level.Settings.Where(p => !baseKeys.TryGetValue(p.Key, out var v) || v != p.Value)
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var key in baseKeys.Keys.Where(k => !level.Settings.ContainsKey(k)))
            settings[key] = _context.DefaultOf(key) ?? throw new InvalidOperationException(
                $"The level '{level.Label}' of the axis '{axis}' leaves {key} unset, which the base run sets; set it in the level.");
        return settings;
    }

    private ExperimentGrid Add(string axis, IEnumerable<(string Label, Dictionary<string, string> Settings)> levels)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(axis);
        var list = levels.Select(l => new AblationLevel(l.Label, l.Settings)).ToList();
        if (list.Count == 0) throw new ArgumentException($"The axis '{axis}' needs at least one level.", nameof(levels));
        _axes.Add(new AblationAxis(axis, list));
        return this;
    }

    private Dictionary<string, string> Level(AlgorithmChoice algorithm, EnvironmentChoice environment, PolicyChoice policy, Action<RunSettings>? set) =>
        _context.RunKeys(algorithm, environment, policy, s =>
        {
            _configure?.Invoke(s);
            set?.Invoke(s);
        });
}
