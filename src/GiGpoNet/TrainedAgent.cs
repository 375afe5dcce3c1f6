using GiGpoNet.Backend;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Extensions.AI;

namespace GiGpoNet;

/// <summary>
/// A trained policy in the Hugging Face layout (config.json, model.safetensors, its tokenizer; a LoRA adapter in PEFT's format under
/// adapter/), with the run that trained it: evaluate it (<see cref="AgentContext.EvaluateAsync"/>), chat with it
/// (<see cref="AsChatClient"/>), save it for transformers or vLLM (<see cref="Save"/>), or train it further
/// (<see cref="PolicyCatalog.FromPretrained"/> with <see cref="PolicyFolder"/>).
/// </summary>
public sealed class TrainedAgent
{
    internal TrainedAgent(string? runFolder, string policyFolder, IReadOnlyDictionary<string, double> summary, IReadOnlyDictionary<string, string> settings)
    {
        RunFolder = runFolder;
        PolicyFolder = Path.GetFullPath(policyFolder);
        Summary = summary;
        Settings = settings;
    }

    /// <summary>The run folder (metrics.csv, summary.json, checkpoints/), or null for an agent loaded from a folder.</summary>
    public string? RunFolder { get; }

    /// <summary>The policy's folder (the run's <c>checkpoints/final</c>).</summary>
    public string PolicyFolder { get; }

    /// <summary>
    /// The run's summary as its last event gave it: <c>final_success</c>, <c>warm_start_success</c>, <c>env_steps</c>,
    /// <c>wall_seconds</c>, <c>peak_memory_mb</c>, ... (empty for a loaded agent).
    /// </summary>
    public IReadOnlyDictionary<string, double> Summary { get; }

    /// <summary>The configuration keys the agent was trained (or loaded) with; its evaluations use their rollout settings.</summary>
    internal IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>
    /// The policy as a Microsoft.Extensions.AI <c>IChatClient</c> (its chat template, greedy or sampled, constrained to allowed responses
    /// when <see cref="PolicyChatClient.AllowedResponsesKey"/> is given); dispose it when done.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The folder cannot be loaded.</exception>
    public PolicyChatClient AsChatClient() => PolicyChatClient.Load(PolicyFolder, Backend());

    /// <summary>
    /// Writes the policy to <paramref name="folder"/> as a plain Hugging Face model (its LoRA adapter merged into the weights), for
    /// transformers, vLLM or <see cref="AgentContext.LoadAgent"/>; as <c>gigpo merge</c>. Refuses a folder that exists.
    /// </summary>
    /// <returns>How many projections an adapter was merged into (0 without one).</returns>
    /// <exception cref="GiGpoNetConfigurationException">The folder exists, or the policy cannot be loaded.</exception>
    public int Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        return PolicyCheckpoints.Merge(PolicyFolder, folder, Backend());
    }

    private BackendOptions Backend() => Running.OptionsSettings.Bind<BackendOptions>(Settings, BackendOptions.SectionName);
}
