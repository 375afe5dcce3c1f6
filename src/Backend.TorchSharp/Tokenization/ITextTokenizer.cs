namespace GiGpoNet.Backend.Tokenization;

/// <summary>A tokenizer as the policy needs it: text to ids and back, the end-of-turn ids, and the chat template.</summary>
public interface ITextTokenizer
{
    /// <summary>Number of ids (the model's vocabulary must be at least this large).</summary>
    int VocabularySize { get; }

    /// <summary>The id used to pad batches.</summary>
    int PaddingId { get; }

    /// <summary>Ids that end a generated turn (for Qwen: <c>&lt;|im_end|&gt;</c> and <c>&lt;|endoftext|&gt;</c>).</summary>
    IReadOnlyList<int> EndOfTurnIds { get; }

    /// <summary>The ids of <paramref name="text"/>; special tokens written in the text become their single ids.</summary>
    int[] Encode(string text);

    /// <summary>The text of <paramref name="ids"/>, special tokens included.</summary>
    string Decode(ReadOnlySpan<int> ids);

    /// <summary>One user message wrapped in the model's chat template, with the assistant's generation prompt after it.</summary>
    string ApplyChatTemplate(string userMessage);
}
