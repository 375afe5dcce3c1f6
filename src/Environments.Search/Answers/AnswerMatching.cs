using System.Text;

namespace GiGpoNet.Environments.Search.Answers;

/// <summary>
/// Exact match and token F1 after the normalization of SQuAD, Search-R1 and verl-agent: lower case, punctuation removed, the
/// articles "a", "an" and "the" removed, whitespace collapsed.
/// </summary>
internal static class AnswerMatching
{
    public static string Normalize(string text)
    {
        var stripped = new StringBuilder(text.Length);
        foreach (var c in text.ToLowerInvariant())
            if (!char.IsPunctuation(c) && !char.IsSymbol(c)) stripped.Append(c);
        return string.Join(' ', Words(stripped.ToString()));
    }

    /// <summary>Whether <paramref name="prediction"/> equals one of <paramref name="answers"/> after normalization.</summary>
    public static bool ExactMatch(string prediction, IEnumerable<string> answers)
    {
        var normalized = Normalize(prediction);
        return answers.Any(a => Normalize(a) == normalized);
    }

    /// <summary>The best token F1 of <paramref name="prediction"/> against <paramref name="answers"/>, in [0, 1].</summary>
    public static double F1(string prediction, IEnumerable<string> answers)
    {
        var predicted = Normalize(prediction).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return answers.Select(a => F1(predicted, Normalize(a).Split(' ', StringSplitOptions.RemoveEmptyEntries))).DefaultIfEmpty(0).Max();
    }

    private static double F1(string[] predicted, string[] gold)
    {
        var remaining = gold.GroupBy(w => w, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var common = 0;
        foreach (var word in predicted)
            if (remaining.TryGetValue(word, out var left) && left > 0)
            {
                remaining[word] = left - 1;
                common++;
            }
        if (common == 0) return 0;
        double precision = (double)common / predicted.Length, recall = (double)common / gold.Length;
        return 2 * precision * recall / (precision + recall);
    }

    private static IEnumerable<string> Words(string text) =>
        text.Split([' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Where(w => w is not ("a" or "an" or "the"));
}
