using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace GiGpoNet.Running;

/// <summary>
/// Typed options as the configuration keys that give the same options: the keys of every setting that differs from the options' own
/// default, so that a run described in C# and the same run written as configuration bind to equal options (and a run's
/// configuration.json reads the same either way).
/// </summary>
internal static class OptionsSettings
{
    /// <summary>The keys under <paramref name="section"/> that turn a default <typeparamref name="TOptions"/> into <paramref name="options"/>.</summary>
    public static Dictionary<string, string> Of<TOptions>(string section, TOptions options) where TOptions : class, new() =>
        Of(section, options, new TOptions());

    /// <summary>
    /// As <see cref="Of{TOptions}(string, TOptions)"/>, for an options object of a type known at run time; without
    /// <paramref name="defaults"/>, the keys of every setting that has a value.
    /// </summary>
    public static Dictionary<string, string> Of(string section, object options, object? defaults)
    {
        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Add(keys, section, options, defaults);
        return keys;
    }

    private static void Add(Dictionary<string, string> keys, string path, object options, object? defaults)
    {
        foreach (var property in StrictConfigurationBinder.BindableProperties(options.GetType()))
        {
            var value = property.GetValue(options);
            var initial = defaults is null ? null : property.GetValue(defaults);
            var key = $"{path}:{property.Name}";
            if (value is null) continue; // "unset" has no configuration form; an unset default stays unset
            if (IsNested(property.PropertyType))
            {
                Add(keys, key, value, initial);
                continue;
            }
            if (value is IEnumerable list and not string)
            {
                var items = list.Cast<object?>().Select(Text).ToList();
                if (initial is IEnumerable before and not string && before.Cast<object?>().Select(Text).SequenceEqual(items)) continue;
                for (var i = 0; i < items.Count; i++) keys[$"{key}:{i}"] = items[i];
                continue;
            }
            if (Equals(value, initial)) continue;
            keys[key] = Text(value);
        }
    }

    /// <summary>The options <paramref name="settings"/> give under <paramref name="section"/>, bound as at start-up.</summary>
    public static TOptions Bind<TOptions>(IReadOnlyDictionary<string, string> settings, string section) where TOptions : class, new()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();
        var options = new TOptions();
        StrictConfigurationBinder.Bind(configuration.GetSection(section), options);
        return options;
    }

    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null;

    /// <summary>A value as configuration writes it: invariant, round-trip numbers, an enum's member name.</summary>
    private static string Text(object? value) => value switch
    {
        null => "",
        double number => number.ToString("R", CultureInfo.InvariantCulture),
        float number => number.ToString("R", CultureInfo.InvariantCulture),
        bool flag => flag ? "true" : "false",
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
