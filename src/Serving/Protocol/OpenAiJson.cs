using System.Text.Json;
using System.Text.Json.Serialization;

namespace GiGpoNet.Serving.Protocol;

/// <summary>The OpenAI API's JSON: snake_case names, nulls written (clients expect <c>"logprobs": null</c>), unknown fields ignored.</summary>
internal static class OpenAiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.Strict,
    };
}
