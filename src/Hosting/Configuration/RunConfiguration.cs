using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GiGpoNet.Advantages;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// A run's effective configuration: every declared options section with its defaults filled in, then the chosen estimator's bound options
/// (defaults included) under <c>Algorithms:&lt;name&gt;</c> and the keys set under <c>Environments:&lt;name&gt;</c>. Enums are written by name,
/// and only settings that can be set, so the file reads back as a settings file and gives the same run.
/// </summary>
internal static class RunConfiguration
{
    private static readonly JsonSerializerOptions Settings = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutComputedProperties } },
    };

    public static string Json(IServiceProvider services, IConfiguration configuration, string estimator, string environment)
    {
        var declared = services.GetRequiredService<ConfigurationSections>().Declared;
        var document = new JsonObject();
        foreach (var section in declared.Where(d => d.Recording == SectionRecording.Options))
            document[section.Name] = Node(BoundOptions(services, section.OptionsType!));
        document["Algorithms"] = new JsonObject
        {
            [estimator] = services.GetKeyedService<AdvantageEstimatorOptions>(estimator) is { } bound ? Node(bound) : new JsonObject(),
        };
        document["Environments"] = new JsonObject { [environment] = SectionKeys(configuration.GetSection($"Environments:{environment}"), []) };
        // The parts outside the options sections that the run used, as they were set, so that --settings <run>/configuration.json
        // reproduces it: a remote environment's connection, the generating policy's server, the plugins. Secrets stay out of the file.
        var policy = Options<TrainingOptions>(services).Policy;
        foreach (var section in declared)
        {
            var child = section.Recording switch
            {
                SectionRecording.SelectedEnvironment => environment,
                SectionRecording.SelectedPolicy => policy,
                _ => null,
            };
            if (child is not null && configuration.GetSection($"{section.Name}:{child}") is { } used && used.Exists())
                document[section.Name] = new JsonObject { [child] = SectionKeys(used, section.SecretKeys) };
        }
        var plugins = configuration.GetSection(PluginBuilderExtensions.SectionName).GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (plugins.Count > 0) document[PluginBuilderExtensions.SectionName] = new JsonArray([.. plugins.Select(p => JsonValue.Create(Path.GetFullPath(p)))]);
        return document.ToJsonString(Settings);
    }

    private static object BoundOptions(IServiceProvider services, Type options)
    {
        var type = typeof(IOptions<>).MakeGenericType(options);
        return type.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(type))!;
    }

    private static JsonNode Node(object options) => JsonSerializer.SerializeToNode(options, options.GetType(), Settings)!;

    /// <summary>Leaves out properties without a setter (<c>Policy:Lora:Enabled</c>, derived from others), which no settings file can set.</summary>
    private static void LeaveOutComputedProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        for (var i = type.Properties.Count - 1; i >= 0; i--)
            if (type.Properties[i].Set is null) type.Properties.RemoveAt(i);
    }

    private static JsonObject SectionKeys(IConfigurationSection section, IReadOnlyList<string> secrets)
    {
        var keys = new JsonObject();
        foreach (var child in section.GetChildren().Where(c => !secrets.Contains(c.Key, StringComparer.OrdinalIgnoreCase)))
            keys[child.Key] = child.Value is { } value ? JsonValue.Create(value) : SectionKeys(child, secrets);
        return keys;
    }

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
