namespace GiGpoNet.Algorithms.Grpo;

/// <summary>Options of RLOO, bound from <c>Algorithms:rloo</c>.</summary>
public sealed class RlooOptions : GroupOutcomeOptions;
