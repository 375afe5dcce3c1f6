using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using GiGpoNet.Advantages;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Training;
using GiGpoNet.Environments.Rollouts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// A run's effective configuration: every core section with its defaults filled in, then the chosen estimator's bound options
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
        var document = new JsonObject
        {
            ["Training"] = Node(Options<TrainingOptions>(services)),
            ["Policy"] = Node(Options<PolicyModelOptions>(services)),
            ["WarmStart"] = Node(Options<WarmStartOptions>(services)),
            ["Rollout"] = Node(Options<RolloutOptions>(services)),
            ["Update"] = Node(Options<UpdateOptions>(services)),
            ["Backend"] = Node(Options<BackendOptions>(services)),
            ["Algorithms"] = new JsonObject { [estimator] = services.GetKeyedService<AdvantageEstimatorOptions>(estimator) is { } bound ? Node(bound) : new JsonObject() },
            ["Environments"] = new JsonObject { [environment] = SectionKeys(configuration.GetSection($"Environments:{environment}")) },
        };
        // The parts outside the core sections that the run used, as they were set, so that --settings <run>/configuration.json reproduces
        // it: a remote environment's connection, the generating policy's server, the plugins. API keys stay out of the file.
        if (configuration.GetSection($"{RemoteEnvironmentBuilderExtensions.SectionName}:{environment}") is { } remote && remote.Exists())
            document[RemoteEnvironmentBuilderExtensions.SectionName] = new JsonObject { [environment] = SectionKeys(remote, leaveOut: ApiKey) };
        var policy = Options<TrainingOptions>(services).Policy;
        if (configuration.GetSection($"{PoliciesSection}:{policy}") is { } generating && generating.Exists())
            document[PoliciesSection] = new JsonObject { [policy] = SectionKeys(generating, leaveOut: ApiKey) };
        var plugins = configuration.GetSection(PluginBuilderExtensions.SectionName).GetChildren().Select(c => c.Value).OfType<string>().ToList();
        if (plugins.Count > 0) document[PluginBuilderExtensions.SectionName] = new JsonArray([.. plugins.Select(p => JsonValue.Create(Path.GetFullPath(p)))]);
        return document.ToJsonString(Settings);
    }

    private const string PoliciesSection = "Policies";
    private const string ApiKey = "ApiKey";

    private static JsonNode Node(object options) => JsonSerializer.SerializeToNode(options, options.GetType(), Settings)!;

    /// <summary>Leaves out properties without a setter (<c>Policy:Lora:Enabled</c>, derived from others), which no settings file can set.</summary>
    private static void LeaveOutComputedProperties(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object) return;
        for (var i = type.Properties.Count - 1; i >= 0; i--)
            if (type.Properties[i].Set is null) type.Properties.RemoveAt(i);
    }

    private static JsonObject SectionKeys(IConfigurationSection section, string? leaveOut = null)
    {
        var keys = new JsonObject();
        foreach (var child in section.GetChildren().Where(c => !string.Equals(c.Key, leaveOut, StringComparison.OrdinalIgnoreCase)))
            keys[child.Key] = child.Value is { } value ? JsonValue.Create(value) : SectionKeys(child);
        return keys;
    }

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
