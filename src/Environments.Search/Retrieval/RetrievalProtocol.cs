using System.Text.Json.Serialization;

namespace GiGpoNet.Environments.Search.Retrieval;

/// <summary>Search-R1's retrieval request: <c>{"queries": [...], "topk": 3, "return_scores": true}</c>.</summary>
internal sealed record RetrieveRequest(
    [property: JsonPropertyName("queries")] IReadOnlyList<string>? Queries,
    [property: JsonPropertyName("topk")] int? TopK,
    [property: JsonPropertyName("return_scores")] bool ReturnScores = true);

/// <summary>One document of the answer: <c>contents</c> is the title in double quotes, a newline, then the text.</summary>
internal sealed record RetrievedDocument([property: JsonPropertyName("id")] string Id, [property: JsonPropertyName("contents")] string Contents)
{
    public static RetrievedDocument From(Passage passage) => new(passage.Id, $"\"{passage.Title}\"\n{passage.Text}");
}

/// <summary>A document with its score, as the server answers when <c>return_scores</c> is true.</summary>
internal sealed record ScoredDocument([property: JsonPropertyName("document")] RetrievedDocument Document, [property: JsonPropertyName("score")] double Score);

/// <summary>An error answer.</summary>
internal sealed record RetrievalError([property: JsonPropertyName("error")] string Error);
