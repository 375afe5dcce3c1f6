using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Benchmarks;

/// <summary>A tokenizer with no end-of-turn ids, so that generation always runs to its token limit; benchmarks feed ids, never text.</summary>
internal sealed class NoStopTokenizer(int vocabularySize) : ITextTokenizer
{
    public int VocabularySize => vocabularySize;
    public int PaddingId => 0;
    public IReadOnlyList<int> EndOfTurnIds => [];
    public ChatTemplate ChatTemplate => ChatTemplate.ChatML;
    public int[] Encode(string text) => [];
    public int[] Encode(RenderedPrompt prompt) => [];
    public string Decode(ReadOnlySpan<int> ids) => "";
    public string ApplyChatTemplate(string userMessage) => userMessage;
    public void WriteTo(string folder) => throw new NotSupportedException("The benchmarks' tokenizer is never saved.");
}
