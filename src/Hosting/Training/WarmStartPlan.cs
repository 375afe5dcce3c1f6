using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.DependencyInjection;
using GiGpoNet.Learning;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Training;

/// <summary>
/// What a run's warm start works from, shared by the warm start and its cache: whether it trains at all, and the expert demonstrations
/// (collected once, also the vocabulary of a from-scratch policy).
/// </summary>
internal sealed class WarmStartPlan(SelectedParts parts, IPromptBuilder prompts, IEpisodeMemoryFactory memories, IOptions<RolloutOptions> rollout,
    IOptions<WarmStartOptions> warmStart, IOptions<TrainingOptions> training)
{
    private readonly Lazy<ILearnerFactory> _learners = new(parts.LearnerFactory);
    private Task<IReadOnlyList<Demonstration>>? _demonstrations;

    public RolloutOptions Rollout => rollout.Value;

    public WarmStartOptions Options => warmStart.Value;

    public TrainingOptions Training => training.Value;

    public ILearnerFactory Learners => _learners.Value;

    /// <summary>Whether the learner is trained on the demonstrations: a pretrained policy (whose learner needs no corpus) only when WarmStart:Enabled asks.</summary>
    public bool Trains => (Options.Enabled ?? Learners.CorpusDemonstrations > 0) && Options.Episodes > 0 && Options.Epochs > 0;

    /// <summary>The expert demonstrations, collected on first use.</summary>
    public Task<IReadOnlyList<Demonstration>> DemonstrationsAsync(CancellationToken cancellationToken) => _demonstrations ??= CollectAsync(cancellationToken);

    /// <summary>The corpus a new learner's vocabulary is built from.</summary>
    public List<string> Corpus(IReadOnlyList<Demonstration> demonstrations) =>
        [.. demonstrations.SelectMany(d => new[] { d.Prompt, d.Response }).Append(parts.Environment().Description.AgentRole)];

    private async Task<IReadOnlyList<Demonstration>> CollectAsync(CancellationToken cancellationToken)
    {
        var count = Math.Max(Trains ? Options.Episodes : 0, Learners.CorpusDemonstrations);
        return count == 0 ? []
            : await ExpertDemonstrations.CollectAsync(parts.Environment(), prompts, memories, Rollout, count, unchecked(Training.Seed * 31 + 5), cancellationToken,
                Options.ExplorationRate).ConfigureAwait(false);
    }
}
