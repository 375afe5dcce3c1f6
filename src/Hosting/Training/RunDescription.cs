namespace GiGpoNet.Hosting.Training;

/// <summary>What a run is, as resolved from configuration at start-up.</summary>
/// <param name="Algorithm">The estimator's registered name.</param>
/// <param name="Environment">The environment's registered name.</param>
/// <param name="NeedsCritic">Whether the estimator needs critic values, so that the learner trains a critic.</param>
/// <param name="EffectiveConfiguration">The run's effective configuration as indented JSON, written to the run folder and every checkpoint.</param>
public sealed record RunDescription(string Algorithm, string Environment, bool NeedsCritic, string EffectiveConfiguration);
