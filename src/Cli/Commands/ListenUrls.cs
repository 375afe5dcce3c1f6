namespace GiGpoNet.Cli.Commands;

/// <summary>
/// The <c>--urls</c> of a server command: one or more absolute http(s) URLs separated by <c>;</c>, checked before anything starts; and the
/// wait of a started server until Ctrl+C.
/// </summary>
internal static class ListenUrls
{
    public static void Validate(string urls)
    {
        var parts = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new GiGpoNetConfigurationException("--urls is empty; give one like http://127.0.0.1:5005.");
        foreach (var part in parts)
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
                throw new GiGpoNetConfigurationException($"--urls '{part}' is not an absolute http:// or https:// URL with a host and port, such as http://127.0.0.1:5005.");
    }

    /// <summary>Waits until the command is cancelled (Ctrl+C), says so, and returns success.</summary>
    public static async Task<int> ServeUntilStoppedAsync(TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("Stopped.");
        }
        return ExitCodes.Success;
    }
}
