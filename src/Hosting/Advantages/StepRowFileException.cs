namespace GiGpoNet.Hosting.Advantages;

/// <summary>A step-row JSON Lines file that cannot be read: the message starts with the line number and names the problem.</summary>
public sealed class StepRowFileException : Exception
{
    /// <summary>Creates the exception for line <paramref name="line"/> (1-based).</summary>
    public StepRowFileException(int line, string problem, Exception? inner = null) : base($"line {line}: {problem}", inner) => Line = line;

    /// <summary>The 1-based line number of the problem.</summary>
    public int Line { get; }
}
