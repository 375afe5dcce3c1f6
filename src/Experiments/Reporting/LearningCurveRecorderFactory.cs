using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Experiments.Reporting;

/// <summary>Run folders that also get <c>learning_curve.png</c>, drawn from the run's own files when its summary is written.</summary>
internal sealed class LearningCurveRecorderFactory : IRunRecorderFactory
{
    public IRunRecorder Open(string folder, int? resumedAfter) => new Recorder(new RunRecorder(folder, resumedAfter), folder);

    private sealed class Recorder(RunRecorder inner, string folder) : IRunRecorder
    {
        public TrainingEvent Record(TrainingEvent trainingEvent) => inner.Record(trainingEvent);

        public void WriteConfiguration(string configuration) => inner.WriteConfiguration(configuration);

        /// <summary>A chart that cannot be drawn (no native Skia library, say) is a warning, never a lost run.</summary>
        public string? WriteSummary(IReadOnlyDictionary<string, object> summary, string title)
        {
            var warning = inner.WriteSummary(summary, title);
            try
            {
                LearningCurveChart.SaveRun(RunHistory.Load(folder), Path.Combine(folder, "learning_curve.png"), title);
                return warning;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or DllNotFoundException or TypeInitializationException or UnauthorizedAccessException)
            {
                var chart = $"learning_curve.png could not be drawn ({e.Message}); metrics.csv holds the same figures.";
                return warning is null ? chart : $"{warning} {chart}";
            }
        }

        public void Dispose() => inner.Dispose();
    }
}
