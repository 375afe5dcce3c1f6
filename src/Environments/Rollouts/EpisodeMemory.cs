using System.Globalization;
using System.Text;

namespace GiGpoNet.Environments.Rollouts;

/// <summary>What an agent remembers of its episode: the (observation, action) pairs so far.</summary>
public interface IEpisodeMemory
{
    /// <summary>Number of steps taken.</summary>
    int Count { get; }

    /// <summary>Records the observation a step was taken in and the action taken.</summary>
    void Add(string observation, string action);

    /// <summary>The last <paramref name="length"/> steps, formatted for the prompt (empty when <paramref name="length"/> ≤ 0).</summary>
    string Format(int length);
}

/// <summary>Creates one memory per trajectory. Replace it through DI to change what the agent remembers.</summary>
public interface IEpisodeMemoryFactory
{
    /// <summary>A fresh memory.</summary>
    IEpisodeMemory Create();
}

/// <summary>verl-agent's <c>SimpleMemory</c>: the last K records as <c>[Observation k: '…', Action k: '…']</c>, one a line.</summary>
public sealed class SimpleEpisodeMemory : IEpisodeMemory
{
    private readonly List<(string Observation, string Action)> _records = [];

    /// <inheritdoc />
    public int Count => _records.Count;

    /// <inheritdoc />
    public void Add(string observation, string action) => _records.Add((observation, action));

    /// <inheritdoc />
    public string Format(int length)
    {
        if (length <= 0 || _records.Count == 0) return string.Empty;
        var text = new StringBuilder();
        var first = Math.Max(0, _records.Count - length);
        for (var i = first; i < _records.Count; i++)
        {
            if (text.Length > 0) text.Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"[Observation {i + 1}: '{_records[i].Observation}', Action {i + 1}: '{_records[i].Action}']");
        }
        return text.ToString();
    }
}

/// <summary>Creates <see cref="SimpleEpisodeMemory"/> instances.</summary>
public sealed class SimpleEpisodeMemoryFactory : IEpisodeMemoryFactory
{
    /// <inheritdoc />
    public IEpisodeMemory Create() => new SimpleEpisodeMemory();
}
