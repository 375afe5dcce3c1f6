namespace GiGpoNet.Hosting.Training;

/// <summary>Writes what a run reports into its folder. Replace the built-in files with <c>services.AddSingleton&lt;IRunRecorderFactory, MyFactory&gt;()</c>.</summary>
public interface IRunRecorder : IDisposable
{
    /// <summary>Records one event; returns it as recorded (a recorder may add a warning).</summary>
    TrainingEvent Record(TrainingEvent trainingEvent);

    /// <summary>Records the run's effective configuration (JSON).</summary>
    void WriteConfiguration(string configuration);

    /// <summary>Records the run's summary and draws its learning curve; returns a warning for what could not be written, or null.</summary>
    string? WriteSummary(IReadOnlyDictionary<string, object> summary, string title);
}

/// <summary>Opens a run folder's <see cref="IRunRecorder"/>.</summary>
public interface IRunRecorderFactory
{
    /// <summary>Opens the recorder of <paramref name="folder"/>; <paramref name="resumedAfter"/> is the iteration a resumed run continues after, else null.</summary>
    IRunRecorder Open(string folder, int? resumedAfter);
}

/// <summary>The built-in files: <see cref="RunRecorder"/>.</summary>
internal sealed class RunRecorderFactory : IRunRecorderFactory
{
    public IRunRecorder Open(string folder, int? resumedAfter) => new RunRecorder(folder, resumedAfter);
}
