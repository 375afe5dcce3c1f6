using Microsoft.Extensions.Configuration;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// The configuration sources of GiGPO.NET's tools, in the generic host's order (later wins): <c>appsettings.json</c> in the
/// working directory (optional), the per-environment defaults <c>appsettings.{Training:Environment}.json</c> beside it (optional,
/// as ASP.NET Core's <c>appsettings.{Environment}.json</c>: <c>appsettings.search.json</c> when the run trains on <c>search</c>),
/// environment variables (<c>Training__Algorithm=grpo</c>), then command-line overrides (<c>--Training:Algorithm=grpo</c>).
/// </summary>
public static class GiGpoNetConfiguration
{
    /// <summary>The settings file read from the working directory when present.</summary>
    public const string SettingsFileName = "appsettings.json";

    /// <summary>Creates a configuration manager with the standard sources; more sources can be added to it later.</summary>
    /// <param name="commandLineOverrides">Arguments of the form <c>--Section:Key=value</c> or <c>--Section:Key value</c>.</param>
    /// <param name="settingsFile">A settings file to read instead of <c>appsettings.json</c> in the working directory; it must exist.</param>
    /// <param name="readWorkingDirectorySettings">Whether <c>appsettings.json</c> in the working directory is read when no
    /// <paramref name="settingsFile"/> is given (false: the built-in defaults, as an ablation cell without a settings file gets them).</param>
    /// <exception cref="GiGpoNetConfigurationException">The settings file is missing or is not valid JSON.</exception>
    public static ConfigurationManager Create(IEnumerable<string>? commandLineOverrides = null, string? settingsFile = null, bool readWorkingDirectorySettings = true)
    {
        var configuration = new ConfigurationManager();
        if (settingsFile is null && !readWorkingDirectorySettings) return WithOverrides(configuration, commandLineOverrides);
        var path = Path.GetFullPath(settingsFile ?? SettingsFileName);
        if (settingsFile is not null && !File.Exists(path))
            throw new GiGpoNetConfigurationException($"The settings file '{path}' does not exist; check the path given with --settings.");
        AddJson(configuration, path);
        if (EnvironmentDefaultsFile(path, configuration, commandLineOverrides) is { } defaults) AddJson(configuration, defaults);
        return WithOverrides(configuration, commandLineOverrides);
    }

    /// <summary>
    /// <c>appsettings.{environment}.json</c> beside <paramref name="settingsPath"/> for the environment the run selects (from the
    /// settings file, the environment variables or the command line), when that file exists.
    /// </summary>
    private static string? EnvironmentDefaultsFile(string settingsPath, IConfiguration settings, IEnumerable<string>? commandLineOverrides)
    {
        var probe = WithOverrides(new ConfigurationManager(), commandLineOverrides);
        var environment = probe["Training:Environment"] ?? settings["Training:Environment"];
        if (string.IsNullOrWhiteSpace(environment) || environment.IndexOfAny([.. Path.GetInvalidFileNameChars(), '.']) >= 0) return null;
        var file = Path.Combine(Path.GetDirectoryName(settingsPath)!, $"{Path.GetFileNameWithoutExtension(settingsPath)}.{environment.ToLowerInvariant()}.json");
        return File.Exists(file) ? file : null;
    }

    private static void AddJson(ConfigurationManager configuration, string path)
    {
        try
        {
            configuration.AddJsonFile(path, optional: true, reloadOnChange: false);
        }
        catch (InvalidDataException e)
        {
            throw new GiGpoNetConfigurationException($"The settings file '{path}' is not valid JSON: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static ConfigurationManager WithOverrides(ConfigurationManager configuration, IEnumerable<string>? commandLineOverrides)
    {
        configuration.AddEnvironmentVariables();
        var overrides = commandLineOverrides?.ToArray() ?? [];
        if (overrides.Length > 0) configuration.AddCommandLine(overrides);
        return configuration;
    }
}
