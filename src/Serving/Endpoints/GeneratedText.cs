using System.Text;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Serving.Endpoints;

/// <summary>What a client sees of a generated sequence: its text without end-of-turn tokens and cut before a stop string, as OpenAI's is.</summary>
internal sealed class GeneratedText(ITextTokenizer tokenizer, bool tokensAsIds)
{
    /// <summary>The generated ids without the end-of-turn ids.</summary>
    public int[] ContentIds(GeneratedSequence generated) => [.. generated.TokenIds.Where(id => !tokenizer.EndOfTurnIds.Contains(id))];

    /// <summary>The decoded content, ending before the first stop string it holds (after it with vLLM's <c>include_stop_str_in_output</c>).</summary>
    public string Text(GeneratedSequence generated, IReadOnlyList<string> stops, bool includeStop = false)
    {
        var text = tokenizer.Decode(ContentIds(generated));
        var found = stops.Select(s => (At: text.IndexOf(s, StringComparison.Ordinal), s.Length)).Where(f => f.At >= 0).OrderBy(f => f.At).FirstOrDefault((At: -1, Length: 0));
        return found.At < 0 ? text : text[..(found.At + (includeStop ? found.Length : 0))];
    }

    /// <summary>The decoded content after each of its tokens in turn, for streaming.</summary>
    public IEnumerable<string> Prefixes(GeneratedSequence generated)
    {
        var ids = ContentIds(generated);
        for (var i = 1; i <= ids.Length; i++) yield return tokenizer.Decode(ids.AsSpan(0, i));
    }

    /// <summary>OpenAI's finish reason: <c>length</c> at the token cap, else <c>stop</c>.</summary>
    public static string FinishReason(GeneratedSequence generated) => generated.Truncated ? "length" : "stop";

    /// <summary>A token as the log-probs name it: its text, or vLLM's <c>token_id:N</c> when the request asked for ids.</summary>
    public string Token(int id) => tokensAsIds ? $"token_id:{id}" : tokenizer.Decode([id]);

    /// <summary>A token's text as UTF-8 bytes, as chat log-probs give them.</summary>
    public IReadOnlyList<int> Bytes(int id) => [.. Encoding.UTF8.GetBytes(tokenizer.Decode([id])).Select(b => (int)b)];

    /// <summary>Where each of <paramref name="ids"/> starts in their decoded text.</summary>
    public IReadOnlyList<int> Offsets(IReadOnlyList<int> ids, int textLength) =>
        [.. Enumerable.Range(0, ids.Count).Select(i => Math.Min(textLength, tokenizer.Decode(ids.Take(i).ToArray()).Length))];
}
