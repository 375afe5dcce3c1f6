using GiGpoNet.Environments;

namespace GiGpoNet.Running;

/// <summary>What an evaluation runs: how many tasks of which split, at which temperature.</summary>
internal sealed record EvaluationRequest(int Tasks, DatasetSplit Split, double Temperature);
