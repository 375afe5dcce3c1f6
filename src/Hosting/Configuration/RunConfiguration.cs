using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
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
/// (defaults included) under <c>Algorithms:&lt;name&gt;</c> and the keys set under <c>Environments:&lt;name&gt;</c>. Enums are written by name.
/// </summary>
internal static class RunConfiguration
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };
    private static readonly JsonSerializerOptions Settings = new() { Converters = { new JsonStringEnumConverter() } };

    public static string Json(IServiceProvider services, IConfiguration configuration, string estimator, string environment)
    {
        var document = JsonSerializer.SerializeToNode(new
        {
            Training = Options<TrainingOptions>(services), Policy = Options<PolicyModelOptions>(services), WarmStart = Options<WarmStartOptions>(services),
            Rollout = Options<RolloutOptions>(services), Update = Options<UpdateOptions>(services), Backend = Options<BackendOptions>(services),
        }, Indented)!.AsObject();
        var estimatorOptions = services.GetKeyedService<AdvantageEstimatorOptions>(estimator) is { } bound
            ? JsonSerializer.SerializeToNode(bound, bound.GetType(), Settings)!.AsObject()
            : new JsonObject();
        document["Algorithms"] = new JsonObject { [estimator] = estimatorOptions };
        document["Environments"] = new JsonObject { [environment] = SectionKeys(configuration.GetSection($"Environments:{environment}")) };
        return document.ToJsonString(Indented);
    }

    private static JsonObject SectionKeys(IConfigurationSection section)
    {
        var keys = new JsonObject();
        foreach (var child in section.GetChildren())
            keys[child.Key] = child.Value is { } value ? JsonValue.Create(value) : SectionKeys(child);
        return keys;
    }

    private static T Options<T>(IServiceProvider services) where T : class => services.GetRequiredService<IOptions<T>>().Value;
}
