namespace GiGpoNet.Hosting.Advantages;

/// <summary>What <see cref="AdvantageFileJob"/> did.</summary>
/// <param name="Rows">Rows read (active or not).</param>
/// <param name="Groups">Episode groups.</param>
/// <param name="StepGroups">Step groups (anchor-state groups); 0 for estimators that build none.</param>
/// <param name="EstimateMilliseconds">Time spent in the estimator call alone.</param>
public sealed record AdvantageFileSummary(int Rows, int Groups, int StepGroups, double EstimateMilliseconds)
{
    /// <summary>The summary line: <c>rows=&lt;n&gt; groups=&lt;g&gt; step_groups=&lt;k&gt; estimate_ms=&lt;t&gt;</c>.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"rows={Rows} groups={Groups} step_groups={StepGroups} estimate_ms={EstimateMilliseconds:0.###}");
}
