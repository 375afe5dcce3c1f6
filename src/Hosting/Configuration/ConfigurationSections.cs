using GiGpoNet.Advantages;
using GiGpoNet.Environments;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Refuses a configuration section nothing reads: a top-level section that no registered package declared, an <c>Algorithms:X</c> for
/// no registered estimator, an <c>Environments:X</c> for no registered environment. A misspelt section (<c>--Trainng:Algorithm=grpo</c>)
/// would otherwise start a run of the defaults without a word. Environment variables count only where they name a section
/// (<c>Training__Seed</c>), since the process environment holds much else.
/// </summary>
internal sealed class ConfigurationSections(IConfiguration configuration, IEnumerable<ConfigurationSectionDeclaration> declarations,
    AdvantageEstimatorRegistry estimators, EnvironmentRegistry environments)
{
    /// <summary>
    /// The sections the core reads besides its options (Logging is the .NET convention, read by hosts); a run's configuration.json
    /// records the chosen component's <c>Algorithms</c> and <c>Environments</c> child and the plugins itself.
    /// </summary>
    public static readonly IReadOnlyList<string> Core = ["Algorithms", "Environments", "Logging", PluginBuilderExtensions.SectionName];

    /// <summary>Every declared top-level section, in the order the packages declared them.</summary>
    public IReadOnlyList<ConfigurationSectionDeclaration> Declared { get; } = [.. declarations];

    private IReadOnlyList<string> Known => [.. Declared.Select(d => d.Name)];

    /// <summary>
    /// Throws for the first section nothing reads, naming the closest known one: a top-level section, then the components' sections
    /// (<see cref="CheckComponents"/>). For a configuration that is GiGPO.NET's alone, as the CLI's; a generic host's holds the
    /// application's own sections too, and its start-up checks only the components'.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">A section is unknown.</exception>
    public void Check()
    {
        var known = Known;
        foreach (var name in TopLevelNames())
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw Unknown(name, "configuration section", known);
        CheckComponents();
    }

    /// <summary>Throws for an <c>Algorithms:X</c> or <c>Environments:X</c> section of no registered component, or keys of one that takes none.</summary>
    /// <exception cref="GiGpoNetConfigurationException">A component's section is unknown or sets keys nothing reads.</exception>
    public void CheckComponents()
    {
        var estimatorNames = estimators.Names;
        foreach (var child in configuration.GetSection("Algorithms").GetChildren())
        {
            if (!estimators.TryGet(child.Key, out var estimator))
                throw Unknown($"Algorithms:{child.Key}", "estimator's section", [.. estimatorNames.Select(n => $"Algorithms:{n}")]);
            if (estimator.OptionsType is null) RefuseSettings(child, $"the estimator '{estimator.Name}'", "AddAdvantageEstimator<TEstimator, TOptions>");
        }
        var environmentNames = environments.Names;
        foreach (var child in configuration.GetSection("Environments").GetChildren())
        {
            if (!environments.TryGet(child.Key, out var environment))
                throw Unknown($"Environments:{child.Key}", "environment's section", [.. environmentNames.Select(n => $"Environments:{n}")]);
            if (environment.OptionsType is null) RefuseSettings(child, $"the environment '{environment.Name}'", "AddEnvironment<TEnvironment, TOptions>");
        }
    }

    /// <summary>A component registered without options reads no key of its section: any key there would be silently ignored.</summary>
    private static void RefuseSettings(IConfigurationSection section, string component, string registration)
    {
        var keys = section.GetChildren().Select(c => c.Key).ToList();
        if (keys.Count > 0)
            throw new GiGpoNetConfigurationException($"'{section.Path}' sets {string.Join(", ", keys)}, but {component} takes no settings (it was registered without " +
                $"options), so nothing would read them. Remove them, or register it with {registration} to give it options.");
    }

    private IEnumerable<string> TopLevelNames()
    {
        if (configuration is not IConfigurationRoot root) return configuration.GetChildren().Select(c => c.Key);
        return root.Providers.SelectMany(p => p is EnvironmentVariablesConfigurationProvider
                ? p.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase).Where(k => p.GetChildKeys([], k).Any())
                : p.GetChildKeys([], null))
            .Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase);
    }

    private static GiGpoNetConfigurationException Unknown(string name, string kind, IReadOnlyList<string> known)
    {
        var closest = known.MinBy(k => Distance(name.ToLowerInvariant(), k.ToLowerInvariant()));
        return new GiGpoNetConfigurationException(
            $"'{name}' is not a known {kind}, so nothing would read its settings. Did you mean '{closest}'? Known: {string.Join(", ", known)}.");
    }

    /// <summary>Levenshtein distance, for the closest known name.</summary>
    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
