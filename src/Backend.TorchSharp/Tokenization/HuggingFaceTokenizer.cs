using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> with a byte-level BPE model (as Qwen2.5 and Qwen3 ship it), through Microsoft.ML.Tokenizers:
/// the vocabulary, merges and added tokens from the file, the pre-tokenizer's split pattern, NFC normalization, and the chat template
/// from <c>tokenizer_config.json</c> when it is next to it; or a <c>WordLevel</c> model with a <c>Split</c> pre-tokenizer (as
/// <see cref="WordLevelTokenizer.SaveHuggingFace"/> exports a from-scratch policy's vocabulary).
/// </summary>
public sealed class HuggingFaceTokenizer : ITextTokenizer
{
    private readonly BpeTokenizer? _bpe;
    private readonly HuggingFaceWordLevel? _wordLevel;
    private readonly ImChatTemplate _template;

    private readonly bool _nfc;

    private HuggingFaceTokenizer(BpeTokenizer? bpe, HuggingFaceWordLevel? wordLevel, bool nfc, int vocabularySize, int paddingId, int[] endOfTurn,
        ImChatTemplate template)
    {
        _bpe = bpe;
        _wordLevel = wordLevel;
        _nfc = nfc;
        VocabularySize = vocabularySize;
        PaddingId = paddingId;
        EndOfTurnIds = endOfTurn;
        _template = template;
    }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public int PaddingId { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> EndOfTurnIds { get; }

    /// <summary>Loads <c>tokenizer.json</c> from a file or a model folder.</summary>
    /// <exception cref="InvalidDataException">The file is not a byte-level BPE or WordLevel tokenizer.json.</exception>
    public static HuggingFaceTokenizer Load(string fileOrFolder)
    {
        var path = Directory.Exists(fileOrFolder) ? Path.Combine(fileOrFolder, "tokenizer.json") : fileOrFolder;
        if (!File.Exists(path)) throw new FileNotFoundException($"No tokenizer.json at '{fileOrFolder}'.", path);
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"'{path}' is not a valid tokenizer.json: {e.Message}");
        }
        var model = root["model"]?.AsObject() ?? throw new InvalidDataException($"'{path}' has no model.");
        var type = model["type"]?.GetValue<string>();
        if (type is not ("BPE" or "WordLevel"))
            throw new InvalidDataException($"'{path}' is a {type} tokenizer; byte-level BPE and WordLevel are supported.");
        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in root["added_tokens"]?.AsArray() ?? [])
            special[token!["content"]!.GetValue<string>()] = token["id"]!.GetValue<int>();
        if (type == "WordLevel")
        {
            var words = HuggingFaceWordLevel.From(model, FindSplitPattern(root["pre_tokenizer"]), special, path);
            return Create(path, null, words, nfc: false, words.MaxId + 1, special);
        }

        var vocabulary = model["vocab"]!.AsObject().Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<int>())).ToList();
        var merges = model["merges"]!.AsArray().Select(m => m is JsonArray pair ? $"{pair[0]} {pair[1]}" : m!.GetValue<string>()).ToList();
        var pattern = FindSplitPattern(root["pre_tokenizer"]) ?? throw new InvalidDataException($"'{path}' has no Split pre-tokenizer pattern.");
        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
            SpecialTokens = special,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), special),
        };
        var nfc = root["normalizer"]?["type"]?.GetValue<string>() == "NFC";
        if (nfc && "e\u0301".Normalize(NormalizationForm.FormC) != "\u00e9")
            throw new InvalidOperationException(
                $"'{path}' asks for NFC normalization, which this process cannot do: it runs with InvariantGlobalization. Remove that setting (or install ICU).");
        var size = Math.Max(vocabulary.Max(v => v.Value), special.Count == 0 ? 0 : special.Values.Max()) + 1;
        return Create(path, BpeTokenizer.Create(options), null, nfc, size, special);
    }

    private static HuggingFaceTokenizer Create(string path, BpeTokenizer? bpe, HuggingFaceWordLevel? wordLevel, bool nfc, int size, Dictionary<string, int> special)
    {
        var configPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json");
        var config = File.Exists(configPath) ? JsonNode.Parse(File.ReadAllText(configPath))?.AsObject() : null;
        var endOfTurn = new[] { "<|im_end|>", "<|endoftext|>", config?["eos_token"]?.GetValue<string>() }
            .Where(t => t is not null && special.ContainsKey(t)).Select(t => special[t!]).Distinct().ToArray();
        var padToken = config?["pad_token"]?.GetValue<string>();
        var padding = padToken is not null && special.TryGetValue(padToken, out var padId) ? padId : endOfTurn.FirstOrDefault();
        return new HuggingFaceTokenizer(bpe, wordLevel, nfc, size, padding, endOfTurn, ImChatTemplate.FromJinja(config?["chat_template"]?.GetValue<string>()));
    }

    private static string? FindSplitPattern(JsonNode? preTokenizer)
    {
        if (preTokenizer is null) return null;
        if (preTokenizer["type"]?.GetValue<string>() == "Split") return preTokenizer["pattern"]?["Regex"]?.GetValue<string>();
        foreach (var inner in preTokenizer["pretokenizers"]?.AsArray() ?? [])
            if (FindSplitPattern(inner) is { } found) return found;
        return null;
    }

    /// <inheritdoc />
    public int[] Encode(string text) => _wordLevel?.Encode(text) ?? [.. _bpe!.EncodeToIds(_nfc ? text.Normalize(NormalizationForm.FormC) : text)];

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids) => _wordLevel?.Decode(ids) ?? _bpe!.Decode(ids.ToArray(), considerSpecialTokens: true) ?? string.Empty;

    /// <inheritdoc />
    public string ApplyChatTemplate(string userMessage) => _template.Apply(userMessage);
}
