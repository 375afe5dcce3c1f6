using System.CommandLine;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Cli.Commands;

/// <summary>The services of a verb that works on the whole configuration: every built-in registered, every option validated before any work.</summary>
internal static class CliServices
{
    public static ServiceProvider BuildValidated(ParseResult parse, string? settingsFile = null)
    {
        var configuration = GiGpoNetConfiguration.Create(CliErrors.ConfigurationOverrides(parse), settingsFile);
        var services = new ServiceCollection();
        services.AddGiGpoNet(configuration).AddBuiltIns();
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
