namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A tokenizer as the policy needs it: text to ids and back, the end-of-turn ids, the model's chat template, and the files that load
/// it again.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids (the model's vocabulary must be at least this large).</summary>
    int VocabularySize { get; }

    /// <summary>The id used to pad batches.</summary>
    int PaddingId { get; }

    /// <summary>Ids that end a generated turn (for Qwen: <c>&lt;|im_end|&gt;</c> and <c>&lt;|endoftext|&gt;</c>).</summary>
    IReadOnlyList<int> EndOfTurnIds { get; }

    /// <summary>The model's chat template.</summary>
    ChatTemplate ChatTemplate { get; }

    /// <summary>The ids of <paramref name="text"/>; special tokens written in the text become their single ids.</summary>
    int[] Encode(string text);

    /// <summary>
    /// The ids of a rendered prompt: special tokens are read in its template text only; inside its data ranges their text is encoded
    /// as ordinary text. A prompt without special-token text in its data gets the ids of <see cref="Encode(string)"/>.
    /// </summary>
    int[] Encode(RenderedPrompt prompt);

    /// <summary>The text of <paramref name="ids"/>, special tokens included.</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>One user message wrapped in the model's chat template, with the assistant's generation prompt after it.</summary>
    string ApplyChatTemplate(string userMessage);

    /// <summary>
    /// Writes the files that load this tokenizer again into a model folder: <c>tokenizer.json</c>, <c>tokenizer_config.json</c> (with the
    /// chat template), <c>generation_config.json</c> and whatever else it was loaded with.
    /// </summary>
    void WriteTo(string folder);
}
