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
}
