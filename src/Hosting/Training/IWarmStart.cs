namespace GiGpoNet.Hosting.Training;

/// <summary>
/// Creates a new run's learner: behaviour-cloned on expert demonstrations and evaluated (<c>WarmStart</c> section), taken from the
/// warm-start cache, or untrained when the warm start is off. Not called for a resumed run, whose learner comes from its checkpoint.
/// Replace it with <c>services.AddSingleton&lt;IWarmStart, MyWarmStart&gt;()</c>.
/// </summary>
public interface IWarmStart
{
    /// <summary>
    /// Runs the warm start and yields its events (<see cref="TrainingEventKind.WaitingForWarmStart"/>, <see cref="TrainingEventKind.WarmStart"/>);
    /// when the sequence ends, <paramref name="outcome"/> holds the learner, which the caller then owns.
    /// </summary>
    IAsyncEnumerable<TrainingEvent> RunAsync(WarmStartOutcome outcome, CancellationToken cancellationToken = default);
}
