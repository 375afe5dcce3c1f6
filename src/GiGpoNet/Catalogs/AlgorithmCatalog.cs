using GiGpoNet.Algorithms.GiGpo;
using GiGpoNet.Algorithms.Grpo;
using GiGpoNet.Algorithms.Ppo;
using GiGpoNet.Running;

namespace GiGpoNet;

/// <summary>
/// The registered advantage estimators (<see cref="AgentContext.Algorithms"/>): the built-ins by method, your own and plugins' by name.
/// Each method takes the estimator's typed options, whose names and defaults are those of its <c>Algorithms:&lt;name&gt;</c> keys.
/// </summary>
public sealed class AlgorithmCatalog
{
    private readonly AgentServices _services;

    internal AlgorithmCatalog(AgentServices services) => _services = services;

    /// <summary>The registered names, sorted (what <c>Training:Algorithm</c> accepts).</summary>
    public IReadOnlyList<string> Names => _services.Registries.Algorithms.Names;

    /// <summary>GiGPO: episode-level plus anchor-state step-level advantages (<c>gigpo</c>).</summary>
    public AlgorithmChoice GiGpo(Action<GiGpoOptions>? configure = null) => Get("gigpo", configure);

    /// <summary>GRPO: each trajectory's return normalized within its group (<c>grpo</c>).</summary>
    public AlgorithmChoice Grpo(Action<GrpoOptions>? configure = null) => Get("grpo", configure);

    /// <summary>RLOO: the leave-one-out baseline (<c>rloo</c>).</summary>
    public AlgorithmChoice Rloo(Action<RlooOptions>? configure = null) => Get("rloo", configure);

    /// <summary>REINFORCE++: discounted returns whitened over the batch (<c>reinforce_plus_plus</c>).</summary>
    public AlgorithmChoice ReinforcePlusPlus(Action<ReinforcePlusPlusOptions>? configure = null) => Get("reinforce_plus_plus", configure);

    /// <summary>REINFORCE++ with the group mean as baseline (<c>reinforce_plus_plus_baseline</c>).</summary>
    public AlgorithmChoice ReinforcePlusPlusBaseline(Action<ReinforcePlusPlusBaselineOptions>? configure = null) =>
        Get("reinforce_plus_plus_baseline", configure);

    /// <summary>PPO with a learned critic and GAE (<c>ppo</c>).</summary>
    public AlgorithmChoice Ppo(Action<GaeOptions>? configure = null) => Get("ppo", configure);

    /// <summary>A registered estimator by name (yours or a plugin's) with its default options.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Nothing has that name; the message lists what does.</exception>
    public AlgorithmChoice Get(string name) => new(_services.Registries.Algorithms.Get(name).Name, new Dictionary<string, string>());

    /// <summary>A registered estimator by name with its typed options set by <paramref name="configure"/>, checked as at start-up.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Nothing has that name, or an option is out of range.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TOptions"/> is not the estimator's options type.</exception>
    public AlgorithmChoice Get<TOptions>(string name, Action<TOptions>? configure) where TOptions : class, new()
    {
        var registration = _services.Registries.Algorithms.Get(name);
        var options = Catalog.Options(registration.OptionsType, $"the estimator '{registration.Name}'", configure);
        var settings = OptionsSettings.Of(registration.ConfigurationSection, options, new TOptions());
        _services.Validate(settings);
        return new AlgorithmChoice(registration.Name, settings);
    }
}
