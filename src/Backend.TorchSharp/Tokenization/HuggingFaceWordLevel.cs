using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// The tokenizers library's <c>WordLevel</c> model as a <c>tokenizer.json</c> describes it, for the text between added tokens (which
/// <see cref="AddedTokens"/> cuts out first): the <c>Split</c> pre-tokenizer's regex cuts it (matches and the text between them are
/// pieces, its <c>Isolated</c> behaviour), each piece looked up whole (the unknown token otherwise); decoding joins the tokens (the
/// <c>Fuse</c> decoder).
/// </summary>
internal sealed class HuggingFaceWordLevel
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<int, string> _tokens;
    private readonly Regex _split;
    private readonly int _unknown;

    private HuggingFaceWordLevel(Dictionary<string, int> ids, Regex split, int unknown)
    {
        _ids = ids;
        _tokens = _ids.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
        _split = split;
        _unknown = unknown;
    }

    public int MaxId => _tokens.Count == 0 ? 0 : _tokens.Keys.Max();

    public static HuggingFaceWordLevel From(JsonObject model, string? splitPattern, string path)
    {
        var vocabulary = (model["vocab"] as JsonObject)?.ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal)
                         ?? throw new InvalidDataException($"'{path}': the WordLevel model has no vocab.");
        var unknownToken = model["unk_token"]?.GetValue<string>();
        var unknown = unknownToken is not null && vocabulary.TryGetValue(unknownToken, out var id) ? id
            : throw new InvalidDataException($"'{path}': the WordLevel model's unk_token '{unknownToken}' is not in its vocab.");
        if (splitPattern is null) throw new InvalidDataException($"'{path}' has no Split pre-tokenizer pattern, which a WordLevel model needs here.");
        return new HuggingFaceWordLevel(vocabulary, new Regex(splitPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), unknown);
    }

    public int[] Encode(string segment)
    {
        var ids = new List<int>(segment.Length / 3);
        var position = 0;
        foreach (Match piece in _split.Matches(segment))
        {
            if (piece.Index > position) ids.Add(Lookup(segment[position..piece.Index]));
            if (piece.Length > 0) ids.Add(Lookup(piece.Value));
            position = piece.Index + piece.Length;
        }
        if (position < segment.Length) ids.Add(Lookup(segment[position..]));
        return [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids) text.Append(_tokens.TryGetValue(id, out var token) ? token : "<unk>");
        return text.ToString();
    }

    private int Lookup(string piece) => _ids.TryGetValue(piece, out var id) ? id : _unknown;
}
