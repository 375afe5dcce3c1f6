using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>What a warm start produced.</summary>
/// <param name="Learner">The run's learner.</param>
/// <param name="Success">The validation success rate after the warm start; NaN when there was none.</param>
public sealed record WarmStartResult(ILearner Learner, double Success);
