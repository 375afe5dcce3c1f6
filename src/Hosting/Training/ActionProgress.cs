namespace GiGpoNet.Hosting.Training;

/// <summary>Reports on the reporting thread, in order (unlike <see cref="Progress{T}"/>, which posts to a synchronization context or the pool).</summary>
internal sealed class ActionProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
