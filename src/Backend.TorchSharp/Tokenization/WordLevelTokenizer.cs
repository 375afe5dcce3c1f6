using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A small word-level tokenizer for policies trained from scratch: whole words (with the space before them, as GPT-style tokenizers
/// do, which halves the sequence length) from a vocabulary built on a corpus (the environment's texts), single characters for
/// everything else that is printable ASCII, and one token per other whitespace character, so that decoding gives back the text exactly. Special tokens (<c>&lt;|im_start|&gt;</c>,
/// <c>&lt;action&gt;</c>, ...) are single ids. Other characters
/// become <c>&lt;unk&gt;</c>.
/// </summary>
public sealed partial class WordLevelTokenizer : ITextTokenizer
{
    /// <summary>The special tokens, in id order from 0.</summary>
    public static readonly string[] SpecialTokens =
        ["<pad>", "<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<action>", "</action>"];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;
    private readonly ImChatTemplate _template = new(defaultSystemPrompt: null);

    private WordLevelTokenizer(IEnumerable<string> tokens)
    {
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++) _ids.TryAdd(_tokens[i], i);
    }

    [GeneratedRegex(@"<\|[a-z_]+\|>|</?(?:think|action)>| ?[A-Za-z]+|\s|.", RegexOptions.Singleline)]
    private static partial Regex Pieces();

    /// <inheritdoc />
    public int VocabularySize => _tokens.Length;

    /// <inheritdoc />
    public int PaddingId => 0;

    /// <summary>The id of unknown characters.</summary>
    public int UnknownId => 1;

    /// <inheritdoc />
    public IReadOnlyList<int> EndOfTurnIds { get; } = [4, 2];

    /// <summary>
    /// A vocabulary of the special tokens, printable ASCII characters, whitespace, and the <paramref name="maxWords"/> most frequent words
    /// of <paramref name="corpus"/> (ties broken alphabetically, so the same corpus always gives the same ids).
    /// </summary>
    public static WordLevelTokenizer Build(IEnumerable<string> corpus, int maxWords)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (Match piece in Pieces().Matches(text))
                if (piece.Length > 1 && char.IsAsciiLetter(piece.Value[^1]))
                    counts[piece.Value] = counts.GetValueOrDefault(piece.Value) + 1;
        var characters = Enumerable.Range(32, 95).Select(c => ((char)c).ToString()).Concat(["\n", "\t"]);
        var words = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(Math.Max(0, maxWords)).Select(p => p.Key);
        return new WordLevelTokenizer(SpecialTokens.Concat(characters).Concat(words));
    }

    /// <summary>Reads a vocabulary saved by <see cref="Save"/>.</summary>
    public static WordLevelTokenizer Load(string path) =>
        new(JsonSerializer.Deserialize<string[]>(File.ReadAllText(path)) ?? throw new InvalidDataException($"'{path}' is not a JSON array of tokens."));

    /// <summary>Writes the vocabulary (a JSON array of tokens, index = id).</summary>
    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(_tokens));

    /// <inheritdoc />
    public int[] Encode(string text)
    {
        var ids = new List<int>(text.Length / 3);
        foreach (Match piece in Pieces().Matches(text))
        {
            if (_ids.TryGetValue(piece.Value, out var id))
            {
                ids.Add(id);
                continue;
            }
            foreach (var c in piece.Value) ids.Add(_ids.TryGetValue(c.ToString(), out var charId) ? charId : UnknownId);
        }
        return [.. ids];
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        foreach (var id in ids) text.Append(id >= 0 && id < _tokens.Length ? _tokens[id] : "<unk>");
        return text.ToString();
    }

    /// <inheritdoc />
    public string ApplyChatTemplate(string userMessage) => _template.Apply(userMessage);
}
