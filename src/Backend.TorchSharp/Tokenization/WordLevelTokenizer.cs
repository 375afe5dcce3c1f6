using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A small word-level tokenizer for policies trained from scratch: whole words (with the space before them, as GPT-style tokenizers
/// do, which halves the sequence length) from a vocabulary built on a corpus (the environment's texts), single characters for
/// everything else that is printable ASCII, and one token per other whitespace character, so that decoding gives back the text exactly. Special tokens (<c>&lt;|im_start|&gt;</c>,
/// <c>&lt;action&gt;</c>, ...) are single ids. Other characters
/// become <c>&lt;unk&gt;</c>. A vocabulary built with number tokens holds every run of two or three digits as well, and cuts digits
/// into runs of up to three; without them, digits are characters. With <see cref="SpacesApart"/>, a space is a token of its own
/// and a word has one id wherever it stands (" silver" in a sentence and "silver" after <c>click[</c>), at the cost of longer
/// sequences.
/// </summary>
public sealed partial class WordLevelTokenizer : ITextTokenizer
{
    /// <summary>The special tokens, in id order from 0.</summary>
    public static readonly string[] SpecialTokens =
        ["<pad>", "<unk>", "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<action>", "</action>"];

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private WordLevelTokenizer(IEnumerable<string> tokens, bool spacesApart)
    {
        SpacesApart = spacesApart;
        _tokens = [.. tokens];
        _ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < _tokens.Length; i++) _ids.TryAdd(_tokens[i], i);
    }

    // A run of digits is one piece; a vocabulary without number tokens does not hold it, so its digits fall back to characters (Encode).
    [GeneratedRegex(@"<\|[a-z_]+\|>|</?(?:think|action)>| ?[A-Za-z]+|[0-9]{1,3}|\s|.", RegexOptions.Singleline)]
    private static partial Regex WordsWithTheirSpace();

    [GeneratedRegex(@"<\|[a-z_]+\|>|</?(?:think|action)>|[A-Za-z]+|[0-9]{1,3}|\s|.", RegexOptions.Singleline)]
    private static partial Regex WordsAndSpacesApart();

    /// <summary>The number tokens of <see cref="Build(IEnumerable{string}, int, bool, bool)"/>: every run of two or three digits.</summary>
    private static IEnumerable<string> NumberRuns() =>
        Enumerable.Range(0, 100).Select(n => n.ToString("00", System.Globalization.CultureInfo.InvariantCulture))
            .Concat(Enumerable.Range(0, 1000).Select(n => n.ToString("000", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Whether the vocabulary holds every run of two or three digits (a number is then at most one token per three digits).</summary>
    internal bool HasNumberTokens => _ids.ContainsKey("000");

    /// <summary>The ids of the numbers' tokens (the digits, and with <see cref="HasNumberTokens"/> the runs of two and three) with their values.</summary>
    internal IEnumerable<(int Id, int Value)> NumberIds()
    {
        foreach (var (token, id) in _ids)
            if (token.Length is >= 1 and <= 3 && token.All(char.IsAsciiDigit))
                yield return (id, int.Parse(token, System.Globalization.CultureInfo.InvariantCulture));
    }

    private Regex Pieces() => Pieces(SpacesApart);

    private static Regex Pieces(bool spacesApart) => spacesApart ? WordsAndSpacesApart() : WordsWithTheirSpace();

    /// <summary>Whether a space is a token of its own rather than part of the word after it.</summary>
    public bool SpacesApart { get; }

    /// <summary>
    /// The words that stand in the vocabulary both with the space before them and without it: the id of " silver", of the space, and
    /// of "silver", in id order. Empty with <see cref="SpacesApart"/>.
    /// </summary>
    internal IEnumerable<(int Spaced, int Space, int Bare)> SpacedWords()
    {
        if (!_ids.TryGetValue(" ", out var space)) yield break;
        for (var id = 0; id < _tokens.Length; id++)
            if (_tokens[id] is [' ', _, ..] token && char.IsAsciiLetter(token[^1]) && _ids.TryGetValue(token[1..], out var bare))
                yield return (id, space, bare);
    }

    /// <inheritdoc />
    public int VocabularySize => _tokens.Length;

    /// <inheritdoc />
    public int PaddingId => 0;

    /// <summary>The id of unknown characters.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance surface beside PaddingId, which ITextTokenizer declares.")]
    public int UnknownId => 1;

    /// <inheritdoc />
    public IReadOnlyList<int> EndOfTurnIds { get; } = [4, 2];

    /// <summary>
    /// A vocabulary of the special tokens, printable ASCII characters, whitespace, and the <paramref name="maxWords"/> most frequent words
    /// of <paramref name="corpus"/> (ties broken alphabetically, so the same corpus always gives the same ids).
    /// </summary>
    public static WordLevelTokenizer Build(IEnumerable<string> corpus, int maxWords) => Build(corpus, maxWords, spacesApart: false);

    /// <summary>
    /// As <see cref="Build(IEnumerable{string}, int)"/>; with <paramref name="spacesApart"/>, words are counted and cut without the space
    /// before them (see <see cref="SpacesApart"/>).
    /// </summary>
    public static WordLevelTokenizer Build(IEnumerable<string> corpus, int maxWords, bool spacesApart) => Build(corpus, maxWords, spacesApart, numberTokens: false);

    /// <summary>
    /// As <see cref="Build(IEnumerable{string}, int, bool)"/>; with <paramref name="numberTokens"/>, every run of two or three digits
    /// follows the words, so that the words keep their ids.
    /// </summary>
    public static WordLevelTokenizer Build(IEnumerable<string> corpus, int maxWords, bool spacesApart, bool numberTokens)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in corpus)
            foreach (Match piece in Pieces(spacesApart).Matches(text))
                if (piece.Length > 1 && char.IsAsciiLetter(piece.Value[^1]))
                    counts[piece.Value] = counts.GetValueOrDefault(piece.Value) + 1;
        var characters = Enumerable.Range(32, 95).Select(c => ((char)c).ToString()).Concat(["\n", "\t"]);
        var words = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(Math.Max(0, maxWords)).Select(p => p.Key);
        var numbers = numberTokens ? NumberRuns() : [];
        return new WordLevelTokenizer(SpecialTokens.Concat(characters).Concat(words).Concat(numbers), spacesApart);
    }

    /// <summary>Reads a vocabulary saved by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a vocabulary <see cref="Save"/> writes; the message names what is wrong.</exception>
    public static WordLevelTokenizer Load(string path)
    {
        System.Text.Json.Nodes.JsonNode? root;
        try
        {
            root = System.Text.Json.Nodes.JsonNode.Parse(Checkpoints.ModelFiles.ReadText(path), documentOptions: Checkpoints.ModelFiles.JsonOptions(64));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"'{path}' is not a readable JSON file ({e.Message}); restore the vocabulary the run saved.", e);
        }
        var (tokens, spacesApart) = root switch
        {
            System.Text.Json.Nodes.JsonArray array => (array, false),
            System.Text.Json.Nodes.JsonObject o when o[TokensKey] is System.Text.Json.Nodes.JsonArray array => (array, o[SpacesApartKey] switch
            {
                null => false,
                System.Text.Json.Nodes.JsonValue v when v.TryGetValue<bool>(out var apart) => apart,
                var other => throw new InvalidDataException(
                    $"'{path}': \"{SpacesApartKey}\" is {other.ToJsonString()}; it must be true or false (or left out, for false)."),
            }),
            _ => throw new InvalidDataException($"'{path}' is neither a JSON array of tokens nor an object with a \"{TokensKey}\" array."),
        };
        return new(tokens.Select((t, id) => t is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var token) ? token
            : throw new InvalidDataException($"'{path}': token {id} is {t?.ToJsonString() ?? "null"}, not a string; every token must be one.")), spacesApart);
    }

    private const string TokensKey = "tokens";
    private const string SpacesApartKey = "spaces_apart";

    /// <summary>
    /// Writes the vocabulary: a JSON array of tokens (index = id), or, with <see cref="SpacesApart"/>, an object holding that array
    /// under <c>"tokens"</c> and <c>"spaces_apart": true</c>.
    /// </summary>
    public void Save(string path) => File.WriteAllText(path, SpacesApart
        ? JsonSerializer.Serialize(new Dictionary<string, object> { [SpacesApartKey] = true, [TokensKey] = _tokens })
        : JsonSerializer.Serialize(_tokens));

    /// <summary>
    /// Writes the tokenizer in Hugging Face's format into <paramref name="folder"/>: a <c>tokenizer.json</c> (the tokenizers library's
    /// <c>WordLevel</c> model, the special tokens as added tokens, and a <c>Split</c> pre-tokenizer whose regex cuts text exactly as
    /// this tokenizer does: a known word whole, with number tokens a run of up to three digits, anything else character by
    /// character) and a <c>tokenizer_config.json</c> with the ChatML chat template, so that transformers, vLLM and
    /// <see cref="HuggingFaceTokenizer"/> give the same ids. (Text holding <c>&lt;|name|&gt;</c> markers that are not special tokens
    /// is the one case they cut differently.)
    /// </summary>
    public void SaveHuggingFace(string folder)
    {
        Directory.CreateDirectory(folder);
        var words = _tokens.Skip(SpecialTokens.Length).Where(t => t.Length > 1 && char.IsAsciiLetter(t[^1])).ToList();
        var bare = words.Where(w => w[0] != ' ').ToList();
        var spaced = words.Where(w => w[0] == ' ').Select(w => w[1..]).ToList();
        var alternatives = new List<string>();
        // A bare word starts where this tokenizer's pieces do: after neither a letter nor, unless spaces stand apart, a space (which
        // would join the letters after it).
        var notBefore = SpacesApart ? "A-Za-z" : "A-Za-z ";
        if (bare.Count > 0) alternatives.Add($"(?<![{notBefore}])(?:{string.Join('|', bare)})(?![A-Za-z])");
        if (spaced.Count > 0) alternatives.Add($" (?:{string.Join('|', spaced)})(?![A-Za-z])");
        if (HasNumberTokens) alternatives.Add("[0-9]{1,3}");
        alternatives.Add(@"\s");
        alternatives.Add(".");
        var tokenizer = new System.Text.Json.Nodes.JsonObject
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new System.Text.Json.Nodes.JsonArray([.. SpecialTokens.Select((t, id) => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
            {
                ["id"] = id, ["content"] = t, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false,
                ["special"] = IsControl(t),
            })]),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "Split", ["pattern"] = new System.Text.Json.Nodes.JsonObject { ["Regex"] = string.Join('|', alternatives) },
                ["behavior"] = "Isolated", ["invert"] = false,
            },
            ["post_processor"] = null,
            ["decoder"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "Fuse" },
            ["model"] = new System.Text.Json.Nodes.JsonObject
            {
                ["type"] = "WordLevel",
                ["vocab"] = new System.Text.Json.Nodes.JsonObject(_tokens.Select((t, id) => (t, id)).GroupBy(p => p.t).Select(g =>
                    KeyValuePair.Create(g.Key, (System.Text.Json.Nodes.JsonNode?)g.First().id))),
                ["unk_token"] = SpecialTokens[UnknownId],
            },
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), tokenizer.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var config = new System.Text.Json.Nodes.JsonObject
        {
            ["tokenizer_class"] = "PreTrainedTokenizerFast",
            ["bos_token"] = null, ["eos_token"] = "<|im_end|>", ["pad_token"] = SpecialTokens[PaddingId], ["unk_token"] = SpecialTokens[UnknownId],
            ["additional_special_tokens"] = new System.Text.Json.Nodes.JsonArray([.. SpecialTokens.Skip(3).Select(t => (System.Text.Json.Nodes.JsonNode)t)]),
            ["clean_up_tokenization_spaces"] = false,
            ["model_max_length"] = 32768,
            ["chat_template"] = ChatTemplate.Source,
        };
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Whether a special token controls the conversation (<c>&lt;|im_start|&gt;</c>, <c>&lt;|im_end|&gt;</c>, <c>&lt;|endoftext|&gt;</c>,
    /// padding, unknown) rather than marking content (<c>&lt;think&gt;</c>, <c>&lt;action&gt;</c>): only those are kept out of data.
    /// </summary>
    private static bool IsControl(string token) => token.StartsWith("<|", StringComparison.Ordinal) || token is "<pad>" or "<unk>";

    /// <inheritdoc />
    public ChatTemplate ChatTemplate => ChatTemplate.ChatML;

    /// <inheritdoc />
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        Save(Path.Combine(folder, Checkpoints.PolicyCheckpoints.VocabularyFile));
        SaveHuggingFace(folder); // tokenizer.json for transformers, vLLM and serve-policy clients
        GenerationConfig.Write(folder, EndOfTurnIds, PaddingId);
    }

    /// <inheritdoc />
    public int[] Encode(string text) => Encode(RenderedPrompt.Template(text));

    /// <inheritdoc />
    public int[] Encode(RenderedPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = new List<int>(prompt.Text.Length / 3);
        foreach (Match piece in Pieces().Matches(prompt.Text))
        {
            // A control token inside data is text: its characters, one by one.
            var asText = piece.Length > 1 && IsControl(piece.Value) && AddedTokens.Overlaps(prompt.DataRanges, piece.Index, piece.Length);
            if (!asText && _ids.TryGetValue(piece.Value, out var id))
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
    public string ApplyChatTemplate(string userMessage) => ChatTemplate.Render(ChatRequest.User(userMessage)).Text;
}
