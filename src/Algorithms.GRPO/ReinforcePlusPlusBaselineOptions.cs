namespace GiGpoNet.Algorithms.Grpo;

/// <summary>Options of REINFORCE++-baseline, bound from <c>Algorithms:reinforce_plus_plus_baseline</c>.</summary>
public sealed class ReinforcePlusPlusBaselineOptions : GroupOutcomeOptions;
