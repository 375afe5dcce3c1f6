namespace GiGpoNet.Backend;

/// <summary>The <c>Policy</c> section: the model to train, either a Hugging Face folder or a small model trained from scratch.</summary>
public sealed class PolicyModelOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Policy";

    /// <summary>A Hugging Face model folder (config.json, safetensors, tokenizer.json). Empty: a from-scratch model with a word-level tokenizer.</summary>
    public string? Path { get; set; }

    /// <summary>From scratch: decoder layers. Default 2.</summary>
    public int Layers { get; set; } = 2;

    /// <summary>From scratch: model width. Default 128.</summary>
    public int HiddenSize { get; set; } = 128;

    /// <summary>From scratch: attention heads. Default 4.</summary>
    public int Heads { get; set; } = 4;

    /// <summary>From scratch: key/value heads. Default 2.</summary>
    public int KeyValueHeads { get; set; } = 2;

    /// <summary>From scratch: MLP width. Default 256.</summary>
    public int IntermediateSize { get; set; } = 256;

    /// <summary>From scratch: words in the vocabulary besides characters and special tokens. Default 1500.</summary>
    public int VocabularyWords { get; set; } = 1500;

    /// <summary>
    /// From scratch: one matrix for the input embedding and the output projection, as Qwen2.5-0.5B has, so that a token the policy
    /// reads and the same token it writes are one vector; it starts as an untied <c>lm_head</c> does. Default false (a separate
    /// <c>lm_head</c>).
    /// </summary>
    public bool TieWordEmbeddings { get; set; }

    /// <summary>
    /// From scratch: the word-level tokenizer cuts a space apart from the word after it, so that a word has one id wherever it
    /// stands (<see cref="Tokenization.WordLevelTokenizer.SpacesApart"/>); prompts grow by about a token a word. Default false.
    ///
    /// </summary>
    public bool SpacesApart { get; set; }

    /// <summary>
    /// From scratch: a word's token with the space before it (" silver") starts as the space's row plus the bare word's row
    /// ("silver"), scaled by 1/√2 to keep its size, instead of a row of its own, so that the word a policy reads in a sentence and the
    /// word it writes after <c>click[</c> start out alike; from there the rows train apart. Applies to words the vocabulary holds both
    /// ways; nothing to compose with <see cref="SpacesApart"/>. Default false.
    /// </summary>
    public bool ComposeSpacedWords { get; set; }

    /// <summary>
    /// From scratch: every run of up to three digits is one token ("108", "05"; longer runs are cut every three digits), and the
    /// rows of these tokens start ordered by the number's value: (a row of its own + a shared row + (2t − 1) times a second shared
    /// row) / √3, with t = ln(1 + value) / ln(1000), so that comparing two numbers (a price against a limit) starts as comparing two
    /// vectors along one direction instead of two strings of digits. Adds 1,100 tokens ("00" to "999"). Default false.
    /// </summary>
    public bool NumberTokens { get; set; }

    /// <summary>Longest prompt accepted, in tokens. Default 1024.</summary>
    public int MaxPromptTokens { get; set; } = 1024;

    /// <summary>Low-rank adapters for the reinforcement stage (<c>Policy:Lora</c>); off unless <see cref="Lora.LoraOptions.Rank"/> is set.</summary>
    public Lora.LoraOptions Lora { get; set; } = new();

    /// <summary>Lists what is wrong (a pretrained model's context length is not checked: see <see cref="Validate(int)"/>).</summary>
    public IEnumerable<string> Validate() => Validate(maxResponseTokens: 0);

    /// <summary>
    /// Lists what is wrong, a <see cref="Path"/> included: its config, weights, tokenizer and chat template must load, the tokenizer's ids
    /// must fit the model's vocabulary, and <see cref="MaxPromptTokens"/> + <paramref name="maxResponseTokens"/> its
    /// <c>max_position_embeddings</c>. Checked before a run folder exists or a demonstration is collected.
    /// </summary>
    public IEnumerable<string> Validate(int maxResponseTokens)
    {
        if (!string.IsNullOrWhiteSpace(Path) && !Directory.Exists(Path))
            yield return $"{SectionName}:{nameof(Path)} = '{Path}' is not a folder; give a Hugging Face model folder or leave it empty to train from scratch.";
        else if (!string.IsNullOrWhiteSpace(Path))
        {
            foreach (var problem in Checkpoints.PretrainedFolder.Problems(Path, MaxPromptTokens + maxResponseTokens))
                yield return $"{SectionName}:{nameof(Path)} = '{Path}': {problem}";
        }
        foreach (var (setting, on, decidedBy) in new[]
                 {
                     (nameof(TieWordEmbeddings), TieWordEmbeddings, "config.json (tie_word_embeddings)"), (nameof(SpacesApart), SpacesApart, "tokenizer.json"),
                     (nameof(ComposeSpacedWords), ComposeSpacedWords, "model.safetensors"), (nameof(NumberTokens), NumberTokens, "tokenizer.json"),
                 })
        {
            if (on && !string.IsNullOrWhiteSpace(Path))
                yield return $"{SectionName}:{setting} applies to a policy trained from scratch; with {SectionName}:{nameof(Path)}, " +
                    $"the model folder's {decidedBy} decides. Remove one of them.";
        }
        if (ComposeSpacedWords && SpacesApart)
            yield return $"{SectionName}:{nameof(ComposeSpacedWords)} has nothing to compose with {SectionName}:{nameof(SpacesApart)}, whose words " +
                "never carry a space; remove one of them.";
        if (Layers < 1 || HiddenSize < 8 || Heads < 1 || KeyValueHeads < 1 || IntermediateSize < 8)
            yield return $"{SectionName}: Layers, HiddenSize, Heads, KeyValueHeads and IntermediateSize must be positive (HiddenSize and IntermediateSize at least 8).";
        if (Heads >= 1 && KeyValueHeads >= 1 && (Heads % KeyValueHeads != 0 || HiddenSize % Heads != 0 || HiddenSize / Heads % 2 != 0))
            yield return $"{SectionName}: Heads must be a multiple of KeyValueHeads, and HiddenSize / Heads an even whole number.";
        if (VocabularyWords < 0) yield return $"{SectionName}:{nameof(VocabularyWords)} must be 0 or more.";
        if (MaxPromptTokens < 16) yield return $"{SectionName}:{nameof(MaxPromptTokens)} must be at least 16.";
        foreach (var problem in Lora?.Validate() ?? ["Policy:Lora is empty; remove it or give Policy:Lora:Rank."]) yield return problem;
    }
}
