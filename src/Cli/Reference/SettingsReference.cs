using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using GiGpoNet.Advantages;
using GiGpoNet.Environments;

namespace GiGpoNet.Cli.Reference;

/// <summary>
/// Every configuration key as Markdown (<c>gigpo settings</c>, <c>docs/configuration.md</c>): per section, each key's type, default
/// and meaning, read from the options types themselves (their defaults and XML docs), for the core sections and for every registered
/// estimator and environment, plugins included.
/// </summary>
internal static partial class SettingsReference
{
    /// <summary>A section of configuration and the options type it binds to.</summary>
    public sealed record Section(string Path, Type OptionsType, string About);

    /// <summary>The sections of the registered parts: each estimator's and environment's options.</summary>
    public static IEnumerable<Section> Components(AdvantageEstimatorRegistry estimators, EnvironmentRegistry environments)
    {
        foreach (var name in estimators.Names.Order(StringComparer.Ordinal))
            if (estimators.TryGet(name, out var estimator) && estimator.OptionsType is { } options)
                yield return new Section($"{AdvantageEstimatorRegistry.AlgorithmsSection}:{name}", options, $"the `{name}` estimator (`Training:Algorithm={name}`)");
        foreach (var name in environments.Names.Order(StringComparer.Ordinal))
            if (environments.TryGet(name, out var environment) && environment.OptionsType is { } options)
                yield return new Section($"{EnvironmentRegistry.EnvironmentsSection}:{name}", options, $"the `{name}` environment (`Training:Environment={name}`)");
    }

    /// <summary>The reference of <paramref name="sections"/>, in their order.</summary>
    public static string Markdown(IEnumerable<Section> sections)
    {
        var text = new StringBuilder("# Configuration reference\n\n")
            .Append("Every key GiGPO.NET reads, with its type, default and meaning, generated from the options types by `gigpo settings` ")
            .Append("(a test fails when this file is stale: regenerate it with `dotnet run --project src/Cli -- settings > docs/configuration.md`). ")
            .Append("Keys go in `appsettings.json` (`{\"Training\": {\"Seed\": 2}}`), in environment variables (`Training__Seed=2`) or on ")
            .Append("the command line (`--Training:Seed=2`); a key that is not listed here is refused. `gigpo settings --Plugins:0=My.dll` ")
            .Append("adds a plugin's sections.\n");
        foreach (var section in sections)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## `{section.Path}`\n\n{Capitalized(section.About)}.\n\n| key | type | default | meaning |\n|---|---|---|---|\n");
            foreach (var row in Rows(section.Path, section.OptionsType, Activator.CreateInstance(section.OptionsType)))
                text.Append(CultureInfo.InvariantCulture, $"| `{row.Key}` | {row.Type} | {row.Default} | {Cell(row.Meaning)} |\n");
        }
        return text.ToString();
    }

    private static IEnumerable<(string Key, string Type, string Default, string Meaning)> Rows(string path, Type type, object? defaults)
    {
        foreach (var property in StrictConfigurationBinder.BindableProperties(type).OrderBy(p => p.MetadataToken))
        {
            var value = defaults is null ? null : property.GetValue(defaults);
            if (IsNested(property.PropertyType))
            {
                foreach (var row in Rows($"{path}:{property.Name}", property.PropertyType, value ?? Activator.CreateInstance(property.PropertyType)))
                    yield return row;
                continue;
            }
            yield return ($"{path}:{property.Name}", TypeName(property.PropertyType), Value(value), Documentation(property));
        }
    }

    private static bool IsNested(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type) && type.GetConstructor(Type.EmptyTypes) is not null;

    private static string TypeName(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        var name = underlying == typeof(int) || underlying == typeof(long) ? "integer"
            : underlying == typeof(double) || underlying == typeof(float) ? "number"
            : underlying == typeof(bool) ? "true/false"
            : underlying == typeof(string) ? "text"
            : underlying == typeof(TimeSpan) ? "time span (hh:mm:ss)"
            : underlying.IsEnum ? string.Join(" \\| ", Enum.GetValues(underlying).Cast<object>().Select(v => $"`{EnumName(v)}`"))
            : typeof(IEnumerable).IsAssignableFrom(underlying) ? "list (`Key:0`, `Key:1`, ...)"
            : underlying.Name;
        return Nullable.GetUnderlyingType(type) is null ? name : name + ", or unset";
    }

    private static string Value(object? value) => value switch
    {
        null => "unset",
        bool flag => flag ? "`true`" : "`false`",
        string text => text.Length == 0 ? "empty" : $"`{text}`",
        Enum member => $"`{EnumName(member)}`",
        IFormattable number => $"`{number.ToString(null, CultureInfo.InvariantCulture)}`",
        IEnumerable list => $"`{string.Join(", ", list.Cast<object?>().Select(x => Convert.ToString(x, CultureInfo.InvariantCulture)))}`",
        _ => $"`{value}`",
    };

    /// <summary>An enum member as configuration writes it: snake_case where the enum's converter reads that form, else its name.</summary>
    private static string EnumName(object member)
    {
        for (var converter = TypeDescriptor.GetConverter(member.GetType()).GetType(); converter is not null; converter = converter.BaseType)
            if (converter.IsGenericType && converter.GetGenericTypeDefinition() == typeof(SnakeCaseEnumConverter<>))
                return (string)converter.GetMethod(nameof(SnakeCaseEnumConverter<DayOfWeek>.SnakeCase))!.Invoke(null, [member])!;
        return member.ToString()!;
    }

    /// <summary>The property's XML summary as one line of Markdown, from the documentation file beside its assembly.</summary>
    private static string Documentation(PropertyInfo property)
    {
        var documentation = Documents.GetOrAdd(property.DeclaringType!.Assembly, LoadDocumentation);
        var key = $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}";
        return documentation.TryGetValue(key, out var summary) ? summary : "";
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Assembly, Dictionary<string, string>> Documents = new();

    private static Dictionary<string, string> LoadDocumentation(Assembly assembly)
    {
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(file)) return [];
        return XDocument.Load(file).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => Plain(m.Element("summary")!), StringComparer.Ordinal);
    }

    /// <summary>An XML doc element as Markdown text: code as code, references by their short name, whitespace folded.</summary>
    private static string Plain(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "c" } code => $"`{code.Value}`",
                XElement { Name.LocalName: "see" or "seealso" } reference =>
                    (string?)reference.Attribute("langword") ?? ShortName((string?)reference.Attribute("cref") ?? reference.Value),
                XElement { Name.LocalName: "paramref" or "typeparamref" } parameter => (string?)parameter.Attribute("name") ?? "",
                XElement other => Plain(other),
                _ => "",
            });
        }
        return Whitespace().Replace(text.ToString(), " ").Trim();
    }

    private static string ShortName(string cref) => cref[(cref.LastIndexOf('.') + 1)..];

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
