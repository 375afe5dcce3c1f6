using GiGpoNet.Environments.Remote.Client;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Environments.Remote;

/// <summary>Checks each remote environment's options (named by the environment) at start-up, naming the key to fix.</summary>
internal sealed class RemoteEnvironmentOptionsValidator : IValidateOptions<RemoteEnvironmentOptions>
{
    public ValidateOptionsResult Validate(string? name, RemoteEnvironmentOptions options)
    {
        var at = $"{Microsoft.Extensions.DependencyInjection.RemoteEnvironmentBuilderExtensions.SectionName}:{name}";
        var failures = new List<string>();
        if (!Uri.TryCreate(options.BaseAddress, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            failures.Add($"{at}:BaseAddress = '{options.BaseAddress}' is not an http(s) address such as http://127.0.0.1:5005.");
        if (options.Retries < 0) failures.Add($"{at}:Retries = {options.Retries} must be 0 or more.");
        if (options.AttemptTimeout <= TimeSpan.Zero) failures.Add($"{at}:AttemptTimeout = {options.AttemptTimeout} must be positive (for example 00:00:30).");
        if (options.RetryDelay < TimeSpan.Zero) failures.Add($"{at}:RetryDelay = {options.RetryDelay} must not be negative.");
        if (options.MaxSteps < 0) failures.Add($"{at}:MaxSteps = {options.MaxSteps} must be 0 (ask the server) or more.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
