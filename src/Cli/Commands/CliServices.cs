using System.CommandLine;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Cli.Commands;

/// <summary>The services of a verb that works on the whole configuration: every built-in registered, every option validated before any work.</summary>
internal static class CliServices
{
    public static ServiceProvider BuildValidated(ParseResult parse, string? settingsFile = null) =>
        BuildValidated(CliErrors.ConfigurationOverrides(parse), settingsFile, readWorkingDirectorySettings: true);

    /// <summary>
    /// Logs to standard error at the levels of the <c>Logging</c> section (default: warnings). The trainer's and the grid runner's own
    /// categories are left out unless asked for (<c>--Logging:LogLevel:GiGpoNet.Hosting.Training=Information</c>): <c>gigpo train</c> and
    /// <c>gigpo ablate</c> show every one of their events, warnings included, on their progress displays already.
    /// </summary>
    public static void AddConsoleLogging(IServiceCollection services, IConfiguration configuration) =>
        services.AddLogging(logging => ConfigureConsoleLogging(logging, configuration));

    /// <inheritdoc cref="AddConsoleLogging"/>
    public static void ConfigureConsoleLogging(ILoggingBuilder logging, IConfiguration configuration) => logging
        .SetMinimumLevel(LogLevel.Warning)
        .AddFilter("GiGpoNet.Hosting.Training", LogLevel.None)
        .AddFilter("GiGpoNet.Experiments.Ablations", LogLevel.None)
        .AddConfiguration(configuration.GetSection("Logging"))
        .AddSimpleConsole(o => o.SingleLine = true)
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

    /// <summary>The services of a configuration given as <c>--Section:Key=value</c> overrides over a settings file.</summary>
    public static ServiceProvider BuildValidated(IEnumerable<string> overrides, string? settingsFile, bool readWorkingDirectorySettings)
    {
        var configuration = GiGpoNetConfiguration.Create(overrides, settingsFile, readWorkingDirectorySettings);
        var services = new ServiceCollection();
        AddConsoleLogging(services, configuration);
        services.AddGiGpoNet(configuration).AddBuiltIns().AddLearningCurves().AddPlugins();
        return services.BuildValidatedGiGpoNetProvider();
    }
}
