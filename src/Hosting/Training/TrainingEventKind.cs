namespace GiGpoNet.Hosting.Training;

/// <summary>The kinds of <see cref="TrainingEvent"/>, as written to the <c>event</c> field of <c>metrics.jsonl</c>.</summary>
public static class TrainingEventKind
{
    /// <summary>Another run is training the cached warm start this run needs; it is loaded when stored.</summary>
    public const string WaitingForWarmStart = "waiting_for_warm_start";

    /// <summary>The warm start finished (trained, or loaded from the cache with <c>cached</c> = 1).</summary>
    public const string WarmStart = "warm_start";

    /// <summary>One RL iteration: collect, estimate, update.</summary>
    public const string Iteration = "iteration";

    /// <summary>An evaluation on the validation split.</summary>
    public const string Evaluation = "evaluation";

    /// <summary>A checkpoint was saved (<c>saved</c> = 1) or could not be (<c>saved</c> = 0, with a warning).</summary>
    public const string Checkpoint = "checkpoint";

    /// <summary>The run's summary.</summary>
    public const string Finished = "finished";
}
