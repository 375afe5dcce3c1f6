using GiGpoNet.Experiments.Reporting;
using GiGpoNet.Hosting.Training;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the experiment tooling's parts to a training host.</summary>
public static class ExperimentsBuilderExtensions
{
    /// <summary>Every run folder also gets <c>learning_curve.png</c> (ScottPlot), success against environment steps, drawn when the run ends.</summary>
    public static IGiGpoNetBuilder AddLearningCurves(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IRunRecorderFactory, LearningCurveRecorderFactory>();
        return builder;
    }
}
