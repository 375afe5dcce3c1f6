namespace GiGpoNet.Backend.Diagnostics;

/// <summary>
/// <c>Backend:GcStress</c>: a background thread that forces full collections and runs pending finalizers without pause, so that a
/// TorchSharp Scalar or tensor left unreferenced during a native call is finalized within milliseconds instead of once in hours. A
/// diagnostic for the lifetime rules (docs/analyzers.md); it slows a run several times over.
/// </summary>
internal sealed class GcStress : IDisposable
{
    private readonly Thread _thread;
    private volatile bool _stopping;
    private long _collections;

    private GcStress()
    {
        _thread = new Thread(Loop) { IsBackground = true, Name = "GiGPO.NET GC stress" };
        _thread.Start();
    }

    /// <summary>The full collections (each followed by the pending finalizers) forced so far.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    private static readonly Lazy<GcStress> ForProcess = new(() => new GcStress());

    /// <summary>Starts the stress thread; dispose the result to stop it.</summary>
    public static GcStress Start() => new();

    /// <summary>Starts one stress thread for the rest of the process (<c>Backend:GcStress</c>); calling it again does nothing.</summary>
    public static void StartForProcess() => _ = ForProcess.Value;

    private void Loop()
    {
        while (!_stopping)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            GC.WaitForPendingFinalizers();
            Interlocked.Increment(ref _collections);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
    }
}
