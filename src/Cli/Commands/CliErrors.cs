using System.CommandLine;
using GiGpoNet.Hosting.Advantages;

namespace GiGpoNet.Cli.Commands;

/// <summary>Maps exceptions to one clear line on standard error and the documented exit code.</summary>
internal static class CliErrors
{
    public static int Run(TextWriter error, Func<int> action) =>
        RunAsync(error, () => Task.FromResult(action())).GetAwaiter().GetResult();

    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (GiGpoNetConfigurationException e)
        {
            error.WriteLine($"Configuration error: {e.Message}");
            return ExitCodes.BadUsage;
        }
        catch (StepRowFileException e)
        {
            error.WriteLine($"Input error: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (GiGpoNet.Policies.OpenAI.InferenceServerException e)
        {
            error.WriteLine($"Error: inference server (Policies:openai): {e.Message}");
            return ExitCodes.Failure;
        }
        catch (System.Net.Sockets.SocketException e)
        {
            error.WriteLine($"Error: network: {e.Message} (socket error {e.SocketErrorCode}).");
            return ExitCodes.Failure;
        }
        catch (System.Runtime.InteropServices.ExternalException e) when (e.GetType() == typeof(System.Runtime.InteropServices.ExternalException))
        {
            // libtorch failed (TorchSharp raises exactly this type; its subclasses, such as Win32Exception, are other failures); a
            // training run keeps its last checkpoint, so the same command resumes it.
            error.WriteLine($"Error: libtorch failed: {e.Message.Split('\n')[0].Trim()} (in {InnermostFrames(e, 4)}). " +
                            "Run the same command again to resume from the run's last checkpoint.");
            return ExitCodes.NativeFailure;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                      or System.Net.Http.HttpRequestException)
        {
            error.WriteLine($"Error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The innermost <paramref name="count"/> methods of an exception's .NET stack, innermost first, for a report that fits one line.</summary>
    private static string InnermostFrames(Exception e, int count) =>
        string.Join(" < ", (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("at ", StringComparison.Ordinal))
            .Select(l => l[3..].Split('(')[0]).Take(count).DefaultIfEmpty("no .NET frames"));

    /// <summary>The unmatched <c>--Section:Key=value</c> tokens, which are configuration overrides.</summary>
    public static IEnumerable<string> ConfigurationOverrides(ParseResult parse)
    {
        var tokens = parse.UnmatchedTokens;
        foreach (var token in tokens)
            if (!token.StartsWith("--", StringComparison.Ordinal) || !token.Contains(':'))
                throw new GiGpoNetConfigurationException(
                    $"Unrecognized argument '{token}'. Configuration overrides look like --Section:Key=value (for example --Algorithms:gigpo:Gamma=0.9).");
        return tokens;
    }
}
