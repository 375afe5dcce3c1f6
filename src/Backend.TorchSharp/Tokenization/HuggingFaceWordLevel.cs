using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// The tokenizers library's <c>WordLevel</c> model as a <c>tokenizer.json</c> describes it: added tokens split out first, the rest cut
/// by the <c>Split</c> pre-tokenizer's regex (matches and the text between them are pieces, its <c>Isolated</c> behaviour), each piece
/// looked up whole (the unknown token otherwise); decoding joins the tokens (the <c>Fuse</c> decoder).
/// </summary>
internal sealed class HuggingFaceWordLevel
{
    private readonly Dictionary<string, int> _ids;
    private readonly Dictionary<int, string> _tokens;
    private readonly Regex _split;
    private readonly Regex? _added;
    private readonly int _unknown;

    private HuggingFaceWordLevel(Dictionary<string, int> ids, Regex split, IReadOnlyDictionary<string, int> added, int unknown)
    {
        _ids = ids;
        foreach (var (content, id) in added) _ids[content] = id;
        _tokens = _ids.GroupBy(p => p.Value).ToDictionary(g => g.Key, g => g.First().Key);
        _split = split;
        _added = added.Count == 0 ? null : new Regex(string.Join('|', added.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant);
        _unknown = unknown;
    }

    public int MaxId => _tokens.Keys.Max();

    public static HuggingFaceWordLevel From(JsonObject model, string? splitPattern, IReadOnlyDictionary<string, int> added, string path)
    {
        var vocabulary = model["vocab"]?.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValue<int>(), StringComparer.Ordinal)
                         ?? throw new InvalidDataException($"'{path}': the WordLevel model has no vocab.");
        var unknownToken = model["unk_token"]?.GetValue<string>();
        var unknown = unknownToken is not null && vocabulary.TryGetValue(unknownToken, out var id) ? id
            : throw new InvalidDataException($"'{path}': the WordLevel model's unk_token '{unknownToken}' is not in its vocab.");
        if (splitPattern is null) throw new InvalidDataException($"'{path}' has no Split pre-tokenizer pattern, which a WordLevel model needs here.");
        return new HuggingFaceWordLevel(vocabulary, new Regex(splitPattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), added, unknown);
    }

    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3);
        var position = 0;
        if (_added is not null)
        {
            foreach (Match special in _added.Matches(text))
            {
                Pieces(text[position..special.Index], ids);
                ids.Add(_ids[special.Value]);
                position = special.Index + special.Length;
            }
        }
        Pieces(text[position..], ids);
        return [.. ids];
    }

    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids) text.Append(_tokens.TryGetValue(id, out var token) ? token : "<unk>");
        return text.ToString();
    }

    private void Pieces(string segment, List<int> ids)
    {
        var position = 0;
        foreach (Match piece in _split.Matches(segment))
        {
            if (piece.Index > position) ids.Add(Lookup(segment[position..piece.Index]));
            if (piece.Length > 0) ids.Add(Lookup(piece.Value));
            position = piece.Index + piece.Length;
        }
        if (position < segment.Length) ids.Add(Lookup(segment[position..]));
    }

    private int Lookup(string piece) => _ids.TryGetValue(piece, out var id) ? id : _unknown;
}
