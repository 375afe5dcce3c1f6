namespace GiGpoNet.Serving.Protocol;

/// <summary>
/// What a client sees of a failure the server did not expect: the exception's type and a reference into the server's log, never its
/// message or stack (a native backtrace carries frame addresses and the install path).
/// </summary>
internal static class ServerFailure
{
    /// <summary>The error object for <paramref name="exception"/>, and the reference under which the server logs its details.</summary>
    public static (ErrorDetail Error, string Reference) Describe(Exception exception)
    {
        var reference = Guid.NewGuid().ToString("N")[..12];
        return (new ErrorDetail($"The server failed on this request ({exception.GetType().Name}); its log has the details under reference {reference}.",
            "server_error", null, null), reference);
    }
}
