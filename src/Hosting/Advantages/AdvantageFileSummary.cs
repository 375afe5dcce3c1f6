namespace GiGpoNet.Hosting.Advantages;

/// <summary>What <see cref="AdvantageFileJob"/> did.</summary>
/// <param name="Rows">Rows read (active or not).</param>
/// <param name="Groups">Episode groups.</param>
/// <param name="StepGroups">Step groups (anchor-state groups); 0 for estimators that build none.</param>
/// <param name="EstimateMilliseconds">Time spent in the estimator call alone.</param>
public sealed record AdvantageFileSummary(int Rows, int Groups, int StepGroups, double EstimateMilliseconds)
{
    /// <summary>
    /// GiGPO's diagnostic of what its step groups compare (<c>step_group_multi_action_share</c> and the rest), when the rows carry their
    /// <c>action</c>; empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<string, double> StepGroupActions { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The summary line: <c>rows=&lt;n&gt; groups=&lt;g&gt; step_groups=&lt;k&gt; estimate_ms=&lt;t&gt;</c>, with the step groups'
    /// diagnostic before the time when there is one.
    /// </summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rows={Rows} groups={Groups} step_groups={StepGroups}{string.Concat(StepGroupActions.Select(p => $" {p.Key}={p.Value:0.###}"))} " +
            $"estimate_ms={EstimateMilliseconds:0.###}");
}
