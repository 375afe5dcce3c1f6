namespace GiGpoNet;

/// <summary>
/// Configuration that cannot work: an unknown key, a value that does not convert, an unknown algorithm name.
/// The message names the configuration key and says how to fix it. Command-line tools exit with code 2 on it.
/// </summary>
public sealed class GiGpoNetConfigurationException : Exception
{
    /// <summary>Creates the exception with a message that names the key and the fix.</summary>
    public GiGpoNetConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public GiGpoNetConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
