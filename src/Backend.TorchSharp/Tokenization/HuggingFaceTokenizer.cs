using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GiGpoNet.Backend.Checkpoints;
using Microsoft.ML.Tokenizers;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A Hugging Face <c>tokenizer.json</c> with a byte-level BPE model (as Qwen2.5, Qwen3 and Llama 3 ship it), through
/// Microsoft.ML.Tokenizers: the vocabulary, merges and added tokens from the file, the pre-tokenizer's split pattern, NFC
/// normalization, the chat template and special tokens of <c>tokenizer_config.json</c> (or <c>chat_template.jinja</c>), and the
/// end-of-turn ids of <c>generation_config.json</c>; or a <c>WordLevel</c> model with a <c>Split</c> pre-tokenizer (as
/// <see cref="WordLevelTokenizer.SaveHuggingFace"/> exports a from-scratch policy's vocabulary). Every file it was loaded with is
/// written back by <see cref="WriteTo"/>.
/// </summary>
public sealed class HuggingFaceTokenizer : ITextTokenizer
{
    /// <summary>The special-token keys of tokenizer_config.json a chat template may read.</summary>
    private static readonly string[] SpecialTokenKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"];

    /// <summary>The files of a model folder that belong with its tokenizer and are carried into every folder the policy is saved to.</summary>
    internal static readonly string[] CompanionFiles =
    [
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt", "tokenizer.model",
        "chat_template.jinja", "chat_template.json", "generation_config.json",
    ];

    private readonly BpeTokenizer? _bpe;
    private readonly HuggingFaceWordLevel? _wordLevel;
    private readonly AddedTokens _added;
    private readonly bool _nfc;
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly ChatTemplate? _template;
    private readonly string _source;

    private HuggingFaceTokenizer(string source, BpeTokenizer? bpe, HuggingFaceWordLevel? wordLevel, AddedTokens added, bool nfc, int vocabularySize,
        int paddingId, int[] endOfTurn, ChatTemplate? template, IReadOnlyDictionary<string, byte[]> files)
    {
        _source = source;
        _bpe = bpe;
        _wordLevel = wordLevel;
        _added = added;
        _nfc = nfc;
        VocabularySize = vocabularySize;
        PaddingId = paddingId;
        EndOfTurnIds = endOfTurn;
        _template = template;
        _files = files;
    }

    /// <inheritdoc />
    public int VocabularySize { get; }

    /// <inheritdoc />
    public int PaddingId { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> EndOfTurnIds { get; }

    /// <summary>Whether the folder had a chat template (or ChatML's tokens, which imply one).</summary>
    public bool HasChatTemplate => _template is not null;

    /// <inheritdoc />
    /// <exception cref="ChatTemplateException">The folder has no chat template.</exception>
    public ChatTemplate ChatTemplate => _template ?? throw new ChatTemplateException(
        $"'{_source}' has no chat template (no chat_template in tokenizer_config.json and no chat_template.jinja); add the model's template to its " +
        "tokenizer_config.json, or use the model's instruct version, which ships one.");

    /// <summary>Loads <c>tokenizer.json</c> from a file or a model folder, with the files beside it.</summary>
    /// <exception cref="InvalidDataException">The file is not a byte-level BPE or WordLevel tokenizer.json, or a file beside it is not valid.</exception>
    /// <exception cref="ChatTemplateException">The chat template does not compile.</exception>
    public static HuggingFaceTokenizer Load(string fileOrFolder)
    {
        var path = Directory.Exists(fileOrFolder) ? Path.Combine(fileOrFolder, "tokenizer.json") : fileOrFolder;
        if (!ModelFiles.Exists(path)) throw new FileNotFoundException($"No tokenizer.json at '{fileOrFolder}'.", path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in CompanionFiles)
            if (ModelFiles.Exists(Path.Combine(folder, name))) files[name] = ModelFiles.ReadBytes(Path.Combine(folder, name));
        files["tokenizer.json"] = ModelFiles.ReadBytes(path);
        var root = Json(files, "tokenizer.json", path) ?? throw new InvalidDataException($"'{path}' is not a JSON object.");
        try
        {
            return Create(root, path, folder, files);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException && e is not ChatTemplateException)
        {
            throw new InvalidDataException($"'{path}' is not a valid tokenizer.json: {e.Message}", e);
        }
    }

    private static JsonObject? Json(IReadOnlyDictionary<string, byte[]> files, string name, string path)
    {
        if (!files.TryGetValue(name, out var bytes)) return null;
        try
        {
            return JsonNode.Parse(bytes, documentOptions: Checkpoints.ModelFiles.JsonOptions(64)) as JsonObject
                   ?? throw new InvalidDataException($"'{Path.Combine(Path.GetDirectoryName(path)!, name)}' is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{Path.Combine(Path.GetDirectoryName(path)!, name)}' is not a valid {name}: {e.Message}");
        }
    }

    private static HuggingFaceTokenizer Create(JsonObject root, string path, string folder, Dictionary<string, byte[]> files)
    {
        var model = root["model"] as JsonObject ?? throw new InvalidDataException($"'{path}' has no model.");
        var type = model["type"]?.GetValue<string>();
        if (type is not ("BPE" or "WordLevel"))
            throw new InvalidDataException($"'{path}' is a {type} tokenizer; byte-level BPE and WordLevel are supported.");
        var added = new AddedTokens((root["added_tokens"] as JsonArray ?? []).Select(token =>
        {
            if (token is not JsonObject entry || entry["content"] is not JsonValue content || entry["id"] is not JsonValue id)
                throw new InvalidDataException($"'{path}': an added token is {token?.ToJsonString() ?? "null"}, not an object with a content and an id.");
            return (content.GetValue<string>(), id.GetValue<int>(), entry["special"] is JsonValue special && special.GetValue<bool>());
        }));
        var config = Json(files, "tokenizer_config.json", path);
        var generation = Json(files, "generation_config.json", path);
        BpeTokenizer? bpe = null;
        HuggingFaceWordLevel? words = null;
        var nfc = false;
        int size;
        if (type == "WordLevel")
        {
            words = HuggingFaceWordLevel.From(model, FindSplitPattern(root["pre_tokenizer"]), path);
            size = Math.Max(words.MaxId, added.Tokens.Values.Select(t => t.Id).DefaultIfEmpty(0).Max()) + 1;
        }
        else
        {
            var vocabulary = (model["vocab"] as JsonObject ?? throw new InvalidDataException($"'{path}' has no vocab."))
                .Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<int>())).ToList();
            var merges = (model["merges"] as JsonArray ?? throw new InvalidDataException($"'{path}' has no merges."))
                .Select(m => m is JsonArray pair ? $"{pair[0]} {pair[1]}" : m!.GetValue<string>()).ToList();
            var pattern = FindSplitPattern(root["pre_tokenizer"]) ?? throw new InvalidDataException($"'{path}' has no Split pre-tokenizer pattern.");
            nfc = root["normalizer"]?["type"]?.GetValue<string>() == "NFC";
            if (nfc && "e\u0301".Normalize(NormalizationForm.FormC) != "\u00e9")
                throw new InvalidOperationException(
                    $"'{path}' asks for NFC normalization, which this process cannot do: it runs with InvariantGlobalization. Remove that setting (or install ICU).");
            bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
            {
                Merges = merges, ByteLevel = true, PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), null),
            });
            size = Math.Max(vocabulary.Count == 0 ? 0 : vocabulary.Max(v => v.Value), added.Tokens.Values.Select(t => t.Id).DefaultIfEmpty(0).Max()) + 1;
        }

        string? Token(string key) => config?[key] switch
        {
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            JsonObject o when o["content"] is JsonValue c => c.GetValue<string>(),
            _ => null,
        };
        var endOfTurn = new[] { "<|im_end|>", "<|endoftext|>", Token("eos_token") }
            .Where(t => t is not null && added.TryGetId(t, out _)).Select(t => added.TryGetId(t!, out var id) ? id : -1)
            .Concat(Ids(generation?["eos_token_id"])).Where(id => id >= 0 && id < size).Distinct().ToArray();
        var padding = Token("pad_token") is { } pad && added.TryGetId(pad, out var padId) ? padId : endOfTurn.FirstOrDefault();
        var specialTokens = SpecialTokenKeys.ToDictionary(k => k, Token, StringComparer.Ordinal);
        var template = TemplateSource(files, config, path) is { } source
            ? ChatTemplate.Parse(source, specialTokens, Path.Combine(folder, files.ContainsKey("chat_template.jinja") ? "chat_template.jinja" : "tokenizer_config.json"))
            : added.TryGetId("<|im_start|>", out _) && added.TryGetId("<|im_end|>", out _) ? ChatTemplate.ChatML : null;
        return new HuggingFaceTokenizer(path, bpe, words, added, nfc, size, padding, endOfTurn, template, files);
    }

    private static IEnumerable<int> Ids(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<int>(out var id) => [id],
        JsonArray list => list.Select(n => n is JsonValue v && v.TryGetValue<int>(out var id) ? id : -1),
        _ => [],
    };

    /// <summary>
    /// The template's source: <c>chat_template.jinja</c>, else <c>tokenizer_config.json</c>'s <c>chat_template</c> (its <c>default</c> when
    /// it is a list of named ones).
    /// </summary>
    private static string? TemplateSource(IReadOnlyDictionary<string, byte[]> files, JsonObject? config, string path)
    {
        if (files.TryGetValue("chat_template.jinja", out var jinja)) return Encoding.UTF8.GetString(jinja);
        return config?["chat_template"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var text) => text,
            JsonArray named => named.OfType<JsonObject>().FirstOrDefault(t => t["name"]?.GetValue<string>() == "default")?["template"]
                                   ?.GetValue<string>()
                               ?? throw new InvalidDataException($"'{path}': tokenizer_config.json's chat_template list has no template named 'default'."),
            var other => throw new InvalidDataException($"'{path}': tokenizer_config.json's chat_template is {other.GetValueKind()}, not a string."),
        };
    }

    private static string? FindSplitPattern(JsonNode? preTokenizer)
    {
        if (preTokenizer is not JsonObject node) return null;
        if (node["type"]?.GetValue<string>() == "Split") return node["pattern"]?["Regex"]?.GetValue<string>();
        foreach (var inner in node["pretokenizers"] as JsonArray ?? [])
            if (FindSplitPattern(inner) is { } found) return found;
        return null;
    }

    /// <inheritdoc />
    public int[] Encode(string text) => Encode(RenderedPrompt.Template(text));

    /// <inheritdoc />
    public int[] Encode(RenderedPrompt prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        var ids = new List<int>(prompt.Text.Length / 3);
        foreach (var (start, length, id) in _added.Split(prompt.Text, prompt.DataRanges))
        {
            if (id >= 0)
            {
                ids.Add(id);
                continue;
            }
            var piece = prompt.Text.Substring(start, length);
            if (_wordLevel is not null) ids.AddRange(_wordLevel.Encode(piece));
            else ids.AddRange(_bpe!.EncodeToIds(_nfc ? piece.Normalize(NormalizationForm.FormC) : piece));
        }
        return [.. ids];
    }

    /// <inheritdoc />
    public string Decode(ReadOnlySpan<int> ids)
    {
        var text = new StringBuilder();
        var run = new List<int>();
        void Flush()
        {
            if (run.Count == 0) return;
            text.Append(_wordLevel?.Decode(run.ToArray()) ?? _bpe!.Decode(run) ?? "");
            run.Clear();
        }
        foreach (var id in ids)
        {
            if (_added.TryGetContent(id, out var content))
            {
                Flush();
                text.Append(content);
            }
            else run.Add(id);
        }
        Flush();
        return text.ToString();
    }

    /// <inheritdoc />
    public string ApplyChatTemplate(string userMessage) => ChatTemplate.Render(ChatRequest.User(userMessage)).Text;

    /// <inheritdoc />
    public void WriteTo(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, bytes) in _files) File.WriteAllBytes(Path.Combine(folder, name), bytes);
        if (!_files.ContainsKey("generation_config.json")) GenerationConfig.Write(folder, EndOfTurnIds, PaddingId);
    }
}
