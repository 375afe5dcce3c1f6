namespace GiGpoNet.Learning;

/// <summary>How the reinforcement stage of a learner starts.</summary>
/// <param name="Critic">Whether the estimator needs critic values (PPO's GAE).</param>
/// <param name="ResumeFrom">A verified checkpoint folder whose state is restored, or null.</param>
/// <param name="Seed">Reseeds the learner's random stream first, so that the stage draws the same numbers however the warm start went; null keeps it (a resumed run).</param>
public sealed record ReinforcementStart(bool Critic, string? ResumeFrom, long? Seed);
