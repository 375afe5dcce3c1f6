using System.Text.Json;

namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// Reads a question file: JSON Lines with <c>question</c> and <c>golden_answers</c> (an array, as Search-R1's and FlashRAG's NQ and
/// HotpotQA files have them; <c>answers</c> or a single <c>answer</c> string are read too), and optionally <c>type</c> and
/// <c>split</c> (train, validation or test).
/// </summary>
internal static class QuestionFile
{
    public static QuestionSet Read(string path)
    {
        if (!File.Exists(path))
            throw new GiGpoNetConfigurationException($"Environments:search:Questions = '{path}' does not exist; give a JSON Lines file of questions and golden_answers.");
        var questions = new List<(SearchQuestion, DatasetSplit?)>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            questions.Add(Parse(line, $"{path}:{number}"));
        }
        if (questions.Count == 0) throw new GiGpoNetConfigurationException($"Environments:search:Questions = '{path}' holds no questions.");
        return new QuestionSet(questions);
    }

    private static (SearchQuestion, DatasetSplit?) Parse(string line, string where)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(line);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new GiGpoNetConfigurationException($"{where}: not a JSON object ({e.Message}); every line of the question file is one object.");
        }
        if (root.ValueKind != JsonValueKind.Object) throw new GiGpoNetConfigurationException($"{where}: not a JSON object; every line of the question file is one object.");
        var question = Text(root, "question", where) ?? throw new GiGpoNetConfigurationException($"{where}: has no \"question\" string.");
        var answers = Answers(root, where);
        if (answers.Count == 0 || answers.Any(string.IsNullOrWhiteSpace))
            throw new GiGpoNetConfigurationException($"{where}: needs \"golden_answers\", an array of non-empty strings (or \"answer\", one string).");
        var type = Text(root, "type", where) ?? "question";
        DatasetSplit? split = Text(root, "split", where) is { } name
            ? Enum.GetNames<DatasetSplit>().Contains(name, StringComparer.OrdinalIgnoreCase) ? Enum.Parse<DatasetSplit>(name, ignoreCase: true)
                : throw new GiGpoNetConfigurationException($"{where}: \"split\" is '{name}'; it must be train, validation or test.")
            : null;
        return (new SearchQuestion(question, answers, type, []), split);
    }

    private static List<string> Answers(JsonElement root, string where)
    {
        foreach (var key in (string[])["golden_answers", "answers"])
            if (root.TryGetProperty(key, out var array))
                return array.ValueKind == JsonValueKind.Array && array.EnumerateArray().All(a => a.ValueKind == JsonValueKind.String)
                    ? [.. array.EnumerateArray().Select(a => String(a, key, where))]
                    : throw new GiGpoNetConfigurationException($"{where}: \"{key}\" must be an array of strings.");
        return Text(root, "answer", where) is { } single ? [single] : [];
    }

    private static string? Text(JsonElement root, string key, string where) =>
        !root.TryGetProperty(key, out var value) ? null
        : value.ValueKind == JsonValueKind.String && String(value, key, where) is { Length: > 0 } text && !string.IsNullOrWhiteSpace(text) ? text
        : throw new GiGpoNetConfigurationException($"{where}: \"{key}\" must be a non-empty string.");

    /// <summary>A JSON string as .NET reads it; an escaped lone surrogate (<c>\ud800</c>) is no text.</summary>
    private static string String(JsonElement value, string key, string where)
    {
        try
        {
            return value.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new GiGpoNetConfigurationException($"{where}: \"{key}\" holds a lone UTF-16 surrogate (an escape such as \\ud800 without its pair), " +
                "which is no character: fix or remove it.");
        }
    }
}
