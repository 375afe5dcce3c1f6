using System.Text.Json;
using System.Text.Json.Serialization;

namespace GiGpoNet.Environments.Remote.Protocol;

// The JSON-over-HTTP protocol (version 1); docs/remote-environments.md and docs/remote-environments.openapi.json describe it.
// Every call is batched: one request carries items for many environment instances.

/// <summary>Creates instances: <c>POST /v1/create</c>.</summary>
internal sealed record CreateRequest(string Environment, int Count);

/// <summary>The new instances' ids.</summary>
internal sealed record CreateResponse(IReadOnlyList<string> Ids);

/// <summary>Resets instances: <c>POST /v1/reset</c>.</summary>
internal sealed record ResetRequest(IReadOnlyList<ResetItem> Items);

/// <summary>One instance to reset, with its task.</summary>
internal sealed record ResetItem(string Id, long TaskSeed, string Split);

/// <summary>Steps instances: <c>POST /v1/step</c>.</summary>
internal sealed record StepRequest(IReadOnlyList<StepItem> Items);

/// <summary>
/// One action for one instance. <see cref="Step"/> counts the steps since reset, from 0: a retried request with the step the server
/// already applied gets the same answer again instead of a second step.
/// </summary>
internal sealed record StepItem(string Id, int Step, string Action);

/// <summary>Closes instances: <c>POST /v1/close</c>.</summary>
internal sealed record CloseRequest(IReadOnlyList<string> Ids);

/// <summary>The per-item answers of reset and step, in request order.</summary>
internal sealed record ItemsResponse(IReadOnlyList<ItemResult> Results);

/// <summary>One item's answer: an observation (and, for step, reward, done, won, score), or an error.</summary>
internal sealed record ItemResult(string Id, ObservationDto? Observation, double Reward, bool Done, bool Won, double? Score, string? Error);

/// <summary>What the agent sees.</summary>
internal sealed record ObservationDto(string Text, string Task, string TaskType, IReadOnlyList<string>? AdmissibleActions);

/// <summary><c>GET /v1/info</c>: the environments the server serves.</summary>
internal sealed record InfoResponse(int ProtocolVersion, IReadOnlyList<EnvironmentInfo> Environments);

/// <summary>One served environment.</summary>
internal sealed record EnvironmentInfo(string Name, int DefaultMaxSteps, IReadOnlyList<string> TaskTypes, string AgentRole, bool ListsAdmissibleActions);

/// <summary>An error body: <c>{"error": "..."}</c>.</summary>
internal sealed record ErrorResponse(string Error);

/// <summary>The serializer settings of the protocol: snake_case names.</summary>
internal static class RemoteJson
{
    /// <summary>snake_case property names, no nulls written.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Converts an observation to its wire form.</summary>
    public static ObservationDto ToDto(EnvironmentObservation o) => new(o.Text, o.Task, o.TaskType, o.AdmissibleActions);

    /// <summary>Converts an observation from its wire form.</summary>
    public static EnvironmentObservation FromDto(ObservationDto o) => new(o.Text, o.Task, o.TaskType, o.AdmissibleActions);
}
