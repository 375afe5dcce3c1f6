using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A tokenizer's added tokens (<c>added_tokens</c> of <c>tokenizer.json</c>) and how they cut text before the model's own pieces, as the
/// tokenizers library does: leftmost, longest first. A special one (<c>&lt;|im_end|&gt;</c>) is not cut out where it overlaps a data
/// range of a rendered prompt: there it is ordinary text.
/// </summary>
internal sealed class AddedTokens
{
    private readonly Dictionary<string, (int Id, bool Special)> _tokens;
    private readonly Dictionary<int, string> _contents;
    private readonly Regex? _pattern;

    public AddedTokens(IEnumerable<(string Content, int Id, bool Special)> tokens)
    {
        _tokens = new Dictionary<string, (int, bool)>(StringComparer.Ordinal);
        foreach (var (content, id, special) in tokens)
            if (content.Length > 0) _tokens[content] = (id, special);
        _contents = _tokens.GroupBy(t => t.Value.Id).ToDictionary(g => g.Key, g => g.First().Key);
        _pattern = _tokens.Count == 0 ? null
            : new Regex(string.Join('|', _tokens.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).Select(Regex.Escape)),
                RegexOptions.CultureInvariant);
    }

    public int Count => _tokens.Count;

    public IReadOnlyDictionary<string, (int Id, bool Special)> Tokens => _tokens;

    public bool TryGetContent(int id, out string content) => _contents.TryGetValue(id, out content!);

    public bool TryGetId(string content, out int id)
    {
        var found = _tokens.TryGetValue(content, out var token);
        id = token.Id;
        return found;
    }

    /// <summary>
    /// The text cut at its added tokens: each piece is (start, length, the token's id or -1 for text between tokens). A special
    /// token overlapping <paramref name="data"/> stays text.
    /// </summary>
    public List<(int Start, int Length, int Id)> Split(string text, IReadOnlyList<(int Start, int Length)> data)
    {
        var pieces = new List<(int, int, int)>();
        var position = 0;
        if (_pattern is not null)
        {
            foreach (Match match in _pattern.Matches(text))
            {
                var (id, special) = _tokens[match.Value];
                if (special && Overlaps(data, match.Index, match.Length)) continue;
                if (match.Index > position) pieces.Add((position, match.Index - position, -1));
                pieces.Add((match.Index, match.Length, id));
                position = match.Index + match.Length;
            }
        }
        if (position < text.Length) pieces.Add((position, text.Length - position, -1));
        return pieces;
    }

    public static bool Overlaps(IReadOnlyList<(int Start, int Length)> ranges, int start, int length)
    {
        foreach (var (from, count) in ranges)
            if (from < start + length && start < from + count) return true;
        return false;
    }
}
