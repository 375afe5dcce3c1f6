using GiGpoNet.Backend;
using GiGpoNet.Backend.Training;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;

namespace GiGpoNet;

/// <summary>
/// The settings of a run besides its algorithm, environment and policy, typed: the <c>Training</c>, <c>WarmStart</c>, <c>Rollout</c>,
/// <c>Update</c> and <c>Backend</c> sections, with the same names and defaults as their configuration keys (docs/configuration.md).
/// </summary>
public sealed class RunSettings
{
    /// <summary>The run: groups, iterations, seed, evaluation, checkpoints, where it writes (<c>Training</c>).</summary>
    public TrainingOptions Training { get; } = new();

    /// <summary>Behaviour cloning on the environment's expert before reinforcement learning (<c>WarmStart</c>).</summary>
    public WarmStartOptions WarmStart { get; } = new();

    /// <summary>The agent loop: prompts, answer format, decoding, the step limit (<c>Rollout</c>).</summary>
    public RolloutOptions Rollout { get; } = new();

    /// <summary>The PPO-family update (<c>Update</c>).</summary>
    public UpdateOptions Update { get; } = new();

    /// <summary>Where and how tensors are computed (<c>Backend</c>).</summary>
    public BackendOptions Backend { get; } = new();

    /// <summary>The configuration keys of every setting that differs from its default (with <paramref name="all"/>, of every setting).</summary>
    internal Dictionary<string, string> Keys(bool all = false)
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (section, options, defaults) in new (string, object, object?)[]
                 {
                     (TrainingOptions.SectionName, Training, new TrainingOptions()), (WarmStartOptions.SectionName, WarmStart, new WarmStartOptions()),
                     (RolloutOptions.SectionName, Rollout, new RolloutOptions()), (UpdateOptions.SectionName, Update, new UpdateOptions()),
                     (BackendOptions.SectionName, Backend, new BackendOptions()),
                 })
            foreach (var (key, value) in Running.OptionsSettings.Of(section, options, all ? null : defaults)) keys[key] = value;
        return keys;
    }
}
