namespace GiGpoNet.Hosting.Tests;

/// <summary>How <c>gigpo</c> reports a libtorch failure: the exit code the ablation runner resumes on.</summary>
public sealed class NativeFailureExitCodeTests
{
    [Test]
    public async Task A_libtorch_failure_exits_with_its_own_code_and_says_how_to_resume()
    {
        var error = new StringWriter();
        var code = await GiGpoNet.Cli.Commands.CliErrors.RunAsync(error,
            () => throw new System.Runtime.InteropServices.ExternalException("toFloat: Expected false to be true\n(stack)"));
        Assert.That(code, Is.EqualTo(GiGpoNet.Cli.ExitCodes.NativeFailure));
        Assert.That(error.ToString(), Does.Contain("libtorch failed: toFloat: Expected false to be true").And.Contain("resume").And.Not.Contain("(stack)"));
        Assert.That(error.ToString(), Does.Contain("(in GiGpoNet.Hosting.Tests.NativeFailureExitCodeTests"), "the innermost .NET frames say where it failed");
        Assert.That(error.ToString().TrimEnd().Split('\n'), Has.Length.EqualTo(1), "one line");
    }

    [TestCase("SEGV", "SIGSEGV")]
    [TestCase("ABRT", "SIGABRT")]
    [TestCase("BUS", "SIGBUS")]
    public void A_child_killed_by_a_native_crash_signal_is_recognised_from_its_exit_code(string signal, string expected)
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Unix signals");
        Assert.That(GiGpoNet.Cli.ExitCodes.NativeCrash(ExitCodeOfShell($"kill -{signal} $$")), Does.Contain(expected));
    }

    [TestCase("kill -KILL $$")]
    [TestCase("exit 1")]
    [TestCase("exit 3")]
    public void Other_exits_are_not_taken_for_a_native_crash(string script)
    {
        Assume.That(OperatingSystem.IsWindows(), Is.False, "Unix signals");
        Assert.That(GiGpoNet.Cli.ExitCodes.NativeCrash(ExitCodeOfShell(script)), Is.Null);
    }

    /// <summary>The exit code .NET reports for a <c>/bin/sh</c> child that runs <paramref name="script"/>.</summary>
    private static int ExitCodeOfShell(string script)
    {
        using var process = System.Diagnostics.Process.Start("/bin/sh", ["-c", script])!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
