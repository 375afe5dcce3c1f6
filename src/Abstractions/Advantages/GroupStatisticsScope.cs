using System.ComponentModel;

namespace GiGpoNet.Advantages;

/// <summary>
/// Over what a group's mean and standard deviation are taken for outcome (episode-level) advantages.
/// verl-agent's <c>compute_mean_std_cross_steps</c>: <c>true</c> is <see cref="StepRows"/>, <c>false</c> is <see cref="Trajectories"/>.
/// </summary>
[TypeConverter(typeof(GroupStatisticsScopeConverter))]
public enum GroupStatisticsScope
{
    /// <summary>
    /// Every active step row of every trajectory in the group contributes its score, so a trajectory weighs as much as
    /// its length. This is what verl-agent computes by default and what the paper's results were produced with.
    /// </summary>
    StepRows,

    /// <summary>
    /// One score per trajectory (that of its first step, which carries that step's own invalid-action penalty):
    /// the paper's Eq. 3.
    /// </summary>
    Trajectories,
}

/// <summary>Converts <see cref="GroupStatisticsScope"/> from its .NET name, its snake_case name, or the reference's boolean.</summary>
public sealed class GroupStatisticsScopeConverter : SnakeCaseEnumConverter<GroupStatisticsScope>
{
    /// <inheritdoc />
    protected override bool TryConvertOther(string text, out GroupStatisticsScope value)
    {
        if (bool.TryParse(text, out var crossSteps))
        {
            value = crossSteps ? GroupStatisticsScope.StepRows : GroupStatisticsScope.Trajectories;
            return true;
        }
        value = default;
        return false;
    }
}
