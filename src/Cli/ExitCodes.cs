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

    /// <summary>
    /// What ended a process that exited with <paramref name="exitCode"/>, when a crash in native code did: on Unix a process killed by
    /// a signal exits with 128 + the signal (SIGABRT 134, SIGBUS 135, SIGSEGV 139), on Windows with the exception's NTSTATUS (an access
    /// violation). libtorch can end a run that way instead of raising an error (a temporary freed during a call); the run's checkpoints
    /// are written whole, so such a run resumes like <see cref="NativeFailure"/>. Null for any other exit code (a kill by SIGKILL, 137,
    /// is a person or the out-of-memory killer: not retried).
    /// </summary>
    public static string? NativeCrash(int exitCode) => exitCode switch
    {
        134 => "signal 6 (SIGABRT)",
        135 => "signal 7 (SIGBUS)",
        139 => "signal 11 (SIGSEGV)",
        unchecked((int)0xC0000005) => "an access violation (0xC0000005)",
        _ => null,
    };
}
