using System.Text.Json;
using System.Text.Json.Nodes;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>A <c>generation_config.json</c> for a folder that had none: the ids that end generation and the padding id.</summary>
internal static class GenerationConfig
{
    public const string FileName = "generation_config.json";

    public static void Write(string folder, IReadOnlyList<int> endOfTurn, int padding)
    {
        var config = new JsonObject
        {
            ["eos_token_id"] = endOfTurn.Count == 1 ? endOfTurn[0] : new JsonArray([.. endOfTurn.Select(id => (JsonNode)id)]),
            ["pad_token_id"] = padding,
        };
        File.WriteAllText(Path.Combine(folder, FileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
