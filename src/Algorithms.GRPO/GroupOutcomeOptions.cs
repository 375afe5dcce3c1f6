using GiGpoNet.Advantages;

namespace GiGpoNet.Algorithms.Grpo;

/// <summary>Options of the estimators that compare a row's outcome with its episode group's (GRPO, RLOO, REINFORCE++-baseline).</summary>
public abstract class GroupOutcomeOptions : AdvantageEstimatorOptions
{
    /// <summary>
    /// What the group statistics are taken over (<c>compute_mean_std_cross_steps</c>): every step row (<c>step_rows</c>,
    /// verl-agent's default) or one value per trajectory (<c>trajectories</c>, upstream verl's one-row-per-trajectory view). Default <c>step_rows</c>.
    /// </summary>
    [ReferenceParameter("compute_mean_std_cross_steps")]
    public GroupStatisticsScope StatisticsScope { get; set; } = GroupStatisticsScope.StepRows;
}
