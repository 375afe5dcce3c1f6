namespace GiGpoNet.Cli;

/// <summary>The process exit codes of <c>gigpo</c>.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>The command failed: bad input data, an I/O error, a failed run.</summary>
    public const int Failure = 1;

    /// <summary>Bad usage or configuration, found before any work.</summary>
    public const int BadUsage = 2;
}
