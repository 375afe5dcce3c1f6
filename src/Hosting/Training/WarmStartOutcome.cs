using GiGpoNet.Learning;

namespace GiGpoNet.Hosting.Training;

/// <summary>What <see cref="IWarmStart.RunAsync"/> leaves behind.</summary>
public sealed class WarmStartOutcome
{
    /// <summary>The run's learner (set as soon as it exists, so that the caller disposes it whatever happens next).</summary>
    public ILearner? Learner { get; set; }

    /// <summary>The validation success rate after the warm start; NaN when there was none.</summary>
    public double Success { get; set; } = double.NaN;
}
