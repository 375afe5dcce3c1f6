using System.CommandLine;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Cli.Commands;

/// <summary>The services of a verb that works on the whole configuration: every built-in registered, every option validated before any work.</summary>
internal static class CliServices
{
    public static ServiceProvider BuildValidated(ParseResult parse, string? settingsFile = null) =>
        BuildValidated(CliErrors.ConfigurationOverrides(parse), settingsFile, readWorkingDirectorySettings: true);

    /// <summary>The services of a configuration given as <c>--Section:Key=value</c> overrides over a settings file.</summary>
    public static ServiceProvider BuildValidated(IEnumerable<string> overrides, string? settingsFile, bool readWorkingDirectorySettings)
    {
        var configuration = GiGpoNetConfiguration.Create(overrides, settingsFile, readWorkingDirectorySettings);
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddBuiltIns().AddPlugins();
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            provider.ValidateGiGpoNetConfiguration();
            return provider;
        }
        catch
        {
            provider.Dispose();
            throw;
        }
    }
}
