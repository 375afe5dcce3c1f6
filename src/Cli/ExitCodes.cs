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

    /// <summary>libtorch failed inside a training run; the run's last checkpoint is kept and the same command resumes it.</summary>
    public const int NativeFailure = 3;
}
