namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Creates a new run's learner: behaviour-cloned on expert demonstrations and evaluated (<c>WarmStart</c> section), taken from the
/// warm-start cache, or untrained when the warm start is off. Not called for a resumed run, whose learner comes from its checkpoint.
/// Replace it with <c>services.AddSingleton&lt;IWarmStart, MyWarmStart&gt;()</c>, or wrap the built-in one with
/// <c>builder.Decorate&lt;IWarmStart&gt;(...)</c>.
/// </summary>
public interface IWarmStart
{
    /// <summary>
    /// Runs the warm start, reporting its events (<see cref="TrainingEventKind.WaitingForWarmStart"/>, <see cref="TrainingEventKind.WarmStart"/>)
    /// through <paramref name="events"/> as they happen, and returns the learner, which the caller then owns (on failure the warm start
    /// disposes any learner it made).
    /// </summary>
    Task<WarmStartResult> RunAsync(IProgress<TrainingEvent> events, CancellationToken cancellationToken = default);
}
