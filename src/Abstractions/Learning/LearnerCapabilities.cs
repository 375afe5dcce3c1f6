using GiGpoNet.Data;

namespace GiGpoNet.Learning;

/// <summary>What a learner needs in every batch and what its <see cref="ILearner.Prepare"/> adds.</summary>
/// <param name="Name">Its name in messages (<c>torchsharp</c>).</param>
/// <param name="Requires">Columns the rollout source must fill (token ids, to score and train on).</param>
/// <param name="Provides">Columns it computes before the advantages (old log-probabilities, critic values).</param>
public sealed record LearnerCapabilities(string Name, RolloutFields Requires, RolloutFields Provides);
