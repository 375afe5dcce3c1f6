using GiGpoNet.Serving.Protocol;

namespace GiGpoNet.Backend.Tests.Serving;

/// <summary>A failure the server did not expect reaches the client as its type and a log reference, never its message, stack or paths.</summary>
public sealed class ServerFailureTests
{
    [Test]
    public void An_unexpected_failure_shows_the_client_neither_its_message_nor_the_servers_paths()
    {
        Exception failure;
        try
        {
            throw new ExternalException("Exception raised from forward at /opt/gigpo/runtimes/linux-x64/native/libtorch_cpu.so (0x7f3a1c2b4e10 in frame #3)");
        }
        catch (ExternalException e)
        {
            failure = e;
        }

        var (error, reference) = ServerFailure.Describe(failure);
        var other = ServerFailure.Describe(failure).Reference;

        Assert.That(error.Message, Does.Not.Contain("/opt/gigpo").And.Not.Contain("0x7f3a").And.Not.Contain("forward").And.Not.Contain(" at "));
        Assert.That(error.Message, Does.Contain("(ExternalException)").And.Contain($"reference {reference}"));
        Assert.That(error.Type, Is.EqualTo("server_error"));
        Assert.That(reference, Does.Match("^[0-9a-f]{12}$"));
        Assert.That(other, Is.Not.EqualTo(reference), "each failure has its own reference in the log");
    }

    private sealed class ExternalException(string message) : Exception(message);
}
