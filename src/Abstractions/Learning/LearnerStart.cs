namespace GiGpoNet.Learning;

/// <summary>Where a learner's policy comes from.</summary>
/// <param name="PolicyFolder">
/// A saved policy (<see cref="ILearner.SavePolicy"/>'s folder, a cached warm start's), a training checkpoint this learner saved
/// (<see cref="ILearner.SaveState"/>, which holds its policy where the learner puts it), or null for the configured initial policy.
/// </param>
/// <param name="Corpus">Text the vocabulary of a from-scratch policy is built from (demonstrations, the agent's role line).</param>
/// <param name="Seed">The seed of the initial weights.</param>
public sealed record LearnerStart(string? PolicyFolder, IReadOnlyList<string> Corpus, long Seed);
