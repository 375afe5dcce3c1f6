using GiGpoNet.Environments;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Running;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet;

/// <summary>
/// GiGPO.NET's entry point, in the manner of ML.NET's <c>MLContext</c>: a seed, optional logging and plugins, and catalogs of what is
/// registered. It describes a run with typed options and runs it through the same services as <c>gigpo train</c>, so a C# program and a
/// settings file with the same values train the same run, metrics identical to the bit.
/// <code>
/// var agents = new AgentContext(seed: 1);
/// var agent = await agents.TrainAsync(agents.Algorithms.GiGpo(), agents.Environments.Household(), agents.Policies.FromScratch(),
///     s => s.Training.Iterations = 30);
/// var evaluation = await agents.EvaluateAsync(agent, agents.Environments.Household());
/// </code>
/// </summary>
public sealed class AgentContext
{
    private readonly AgentServices _services;

    /// <summary>Creates a context.</summary>
    /// <param name="seed">The seed of every run it trains (<c>Training:Seed</c>), unless a run sets its own.</param>
    /// <param name="plugins">Plugin assemblies to load, as <c>gigpo</c>'s <c>Plugins</c> setting lists them: their estimators,
    /// environments and policies appear in the catalogs.</param>
    /// <param name="register">Registrations of your own (<c>b =&gt; b.AddAdvantageEstimator&lt;MyEstimator, MyOptions&gt;("mine")</c>).</param>
    /// <param name="logging">Where the framework's logs go (none by default; the trainer's events come through the progress argument).</param>
    public AgentContext(long seed = 1, IEnumerable<string>? plugins = null, Action<IGiGpoNetBuilder>? register = null, ILoggerFactory? logging = null)
    {
        Seed = seed;
        _services = new AgentServices([.. plugins ?? []], register, logging);
        Algorithms = new AlgorithmCatalog(_services);
        Environments = new EnvironmentCatalog(_services);
        Policies = new PolicyCatalog(_services);
        Data = new AgentDataCatalog(_services);
        Experiments = new ExperimentCatalog(this);
    }

    /// <summary>The seed of the runs this context trains.</summary>
    public long Seed { get; }

    /// <summary>The advantage estimators: GiGPO, GRPO, RLOO, REINFORCE++, PPO, and those registered or loaded as plugins.</summary>
    public AlgorithmCatalog Algorithms { get; }

    /// <summary>The environments: household, shop, sokoban, search, remote ones, and those registered or loaded as plugins.</summary>
    public EnvironmentCatalog Environments { get; }

    /// <summary>The policies: from scratch, pretrained (with LoRA), with rollouts on an OpenAI-compatible server.</summary>
    public PolicyCatalog Policies { get; }

    /// <summary>Runs, evaluations and grids as ML.NET <see cref="Microsoft.ML.IDataView"/>s.</summary>
    public AgentDataCatalog Data { get; }

    /// <summary>Ablation grids defined in code, run by the same runner as <c>gigpo ablate</c>.</summary>
    public ExperimentCatalog Experiments { get; }

    /// <summary>
    /// Trains <paramref name="policy"/> on <paramref name="environment"/> with <paramref name="algorithm"/>: the optional warm start,
    /// then the iterations, writing a run folder (<c>Training:OutputDirectory</c>) as <c>gigpo train</c> does; a run folder that holds a
    /// checkpoint of the same configuration resumes.
    /// </summary>
    /// <param name="algorithm">From <see cref="Algorithms"/>.</param>
    /// <param name="environment">From <see cref="Environments"/>.</param>
    /// <param name="policy">From <see cref="Policies"/>.</param>
    /// <param name="configure">The run's other settings (iterations, groups, warm start, rollout, update, backend).</param>
    /// <param name="progress">Receives every event as it happens: warm start, iterations, evaluations, checkpoints, the end.</param>
    /// <param name="cancellationToken">Stops the run; it resumes from its last checkpoint next time.</param>
    /// <returns>The trained agent: its run folder, final policy and summary.</returns>
    /// <exception cref="GiGpoNetConfigurationException">A setting is wrong; nothing has run.</exception>
    public async Task<TrainedAgent> TrainAsync(AlgorithmChoice algorithm, EnvironmentChoice environment, PolicyChoice policy,
        Action<RunSettings>? configure = null, IProgress<TrainingEvent>? progress = null, CancellationToken cancellationToken = default)
    {
        var settings = RunKeys(algorithm, environment, policy, configure);
        var (folder, summary) = await TrainAsync(settings, progress, cancellationToken).ConfigureAwait(false);
        return new TrainedAgent(folder, Path.Combine(folder, "checkpoints", "final"), summary, settings);
    }

    /// <summary>
    /// Evaluates <paramref name="agent"/> on <paramref name="environment"/>: one episode per task at the evaluation seed, as
    /// <c>gigpo eval</c> does, under the agent's own rollout settings.
    /// </summary>
    /// <param name="agent">A trained or loaded agent.</param>
    /// <param name="environment">From <see cref="Environments"/>.</param>
    /// <param name="tasks">How many tasks (one episode each).</param>
    /// <param name="split">Which tasks.</param>
    /// <param name="temperature">Sampling temperature (0: greedy).</param>
    /// <param name="cancellationToken">Stops it.</param>
    /// <exception cref="GiGpoNetConfigurationException">A setting or the agent's folder is wrong.</exception>
    public Task<AgentEvaluation> EvaluateAsync(TrainedAgent agent, EnvironmentChoice environment, int tasks = 64,
        DatasetSplit split = DatasetSplit.Validation, double temperature = 0.4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(environment);
        if (tasks < 1) throw new ArgumentOutOfRangeException(nameof(tasks), tasks, "Evaluate at least one task.");
        return PolicyEvaluation.RunAsync(_services, agent, environment, new EvaluationRequest(tasks, split, temperature), cancellationToken);
    }

    /// <summary>
    /// An agent saved in the Hugging Face layout (a run's <c>checkpoints/final</c>, or a folder <see cref="TrainedAgent.Save"/> wrote), to
    /// evaluate, chat with or train further (<see cref="PolicyCatalog.FromPretrained"/>); <paramref name="configure"/> gives the rollout
    /// settings it was trained with when they are not the defaults.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The folder is not a saved policy.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "The context's entry points are instance members, as ML.NET's MLContext's.")]
    public TrainedAgent LoadAgent(string folder, Action<RunSettings>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        if (!Directory.Exists(folder))
            throw new GiGpoNetConfigurationException($"'{folder}' is not a folder; give a run's checkpoints/final or a folder TrainedAgent.Save wrote.");
        var settings = new RunSettings();
        configure?.Invoke(settings);
        return new TrainedAgent(null, folder, new Dictionary<string, double>(), settings.Keys());
    }

    /// <summary>The configuration keys of a run: its settings, then the choices (which win over the same keys set in the settings).</summary>
    internal Dictionary<string, string> RunKeys(AlgorithmChoice algorithm, EnvironmentChoice environment, PolicyChoice policy, Action<RunSettings>? configure)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(policy);
        var run = new RunSettings();
        run.Training.Seed = Seed;
        configure?.Invoke(run);
        run.Training.Algorithm = algorithm.Name;
        run.Training.Environment = environment.Name;
        var keys = run.Keys();
        foreach (var choice in new[] { algorithm.Settings, environment.Settings, policy.Settings })
            foreach (var (key, value) in choice) keys[key] = value;
        return keys;
    }

    /// <summary>
    /// The default value of a configuration key as configuration writes it (<c>Update:LearningRate</c>, <c>Algorithms:gigpo:Mode</c>,
    /// <c>RemoteEnvironments:&lt;any&gt;:Retries</c>), or null for a key without one (an unset setting, an unknown key).
    /// </summary>
    internal string? DefaultOf(string key)
    {
        _defaults ??= Defaults();
        var parts = key.Split(':');
        if (parts.Length > 2 && string.Equals(parts[0], RemoteEnvironmentBuilderExtensions.SectionName, StringComparison.OrdinalIgnoreCase))
            key = string.Join(':', [parts[0], "*", .. parts[2..]]);
        return _defaults.GetValueOrDefault(key);
    }

    private Dictionary<string, string>? _defaults;

    private Dictionary<string, string> Defaults()
    {
        var defaults = new RunSettings().Keys(all: true);
        void Add(string section, Type? type)
        {
            if (type?.GetConstructor(Type.EmptyTypes) is null) return;
            foreach (var (key, value) in OptionsSettings.Of(section, Activator.CreateInstance(type)!, null)) defaults[key] = value;
        }
        Add(Backend.PolicyModelOptions.SectionName, typeof(Backend.PolicyModelOptions));
        Add(GiGpoNet.Policies.OpenAI.OpenAiPolicyOptions.SectionName, typeof(GiGpoNet.Policies.OpenAI.OpenAiPolicyOptions));
        Add($"{RemoteEnvironmentBuilderExtensions.SectionName}:*", typeof(GiGpoNet.Environments.Remote.Client.RemoteEnvironmentOptions));
        foreach (var algorithm in _services.Registries.Algorithms.Registrations) Add(algorithm.ConfigurationSection, algorithm.OptionsType);
        foreach (var environment in _services.Registries.Environments.Registrations)
            Add($"{EnvironmentRegistry.EnvironmentsSection}:{environment.Name}", environment.OptionsType);
        return defaults;
    }

    /// <summary>Runs the start-up checks on the keys of a run.</summary>
    internal string EffectiveConfiguration(IReadOnlyDictionary<string, string> settings) => _services.EffectiveConfiguration(settings);

    /// <summary>Trains the run the keys describe; returns its folder and the summary of its last event.</summary>
    internal async Task<(string Folder, IReadOnlyDictionary<string, double> Summary)> TrainAsync(IReadOnlyDictionary<string, string> settings,
        IProgress<TrainingEvent>? progress, CancellationToken cancellationToken)
    {
        await using var services = _services.Build(settings);
        var trainer = services.GetRequiredService<AgentTrainer>();
        IReadOnlyDictionary<string, double> summary = new Dictionary<string, double>();
        await foreach (var e in trainer.RunAsync(cancellationToken).ConfigureAwait(false))
        {
            progress?.Report(e);
            if (e.Kind == TrainingEventKind.Finished) summary = e.Metrics;
        }
        return (Path.GetFullPath(trainer.OutputDirectory), summary);
    }
}
