namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A prompt rendered by a chat template, with the ranges of it that came from the messages and tools rather than from the template:
/// the encoder reads control tokens (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>) only outside them, so that text a user sends
/// cannot end a turn or open another.
/// </summary>
/// <param name="Text">The prompt text.</param>
/// <param name="DataRanges">The (start, length) ranges of <paramref name="Text"/> that are data, in order.</param>
public sealed record RenderedPrompt(string Text, IReadOnlyList<(int Start, int Length)> DataRanges)
{
    /// <summary>Text that is template throughout (no data range).</summary>
    public static RenderedPrompt Template(string text) => new(text, []);
}
