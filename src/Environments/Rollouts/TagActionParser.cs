namespace GiGpoNet.Environments.Rollouts;

/// <summary>
/// verl-agent's ALFWorld / WebShop projection: lower-case the response and take the text between the first <c>&lt;action&gt;</c> and
/// the first <c>&lt;/action&gt;</c>, trimmed. Invalid when either tag is missing (then the last <see cref="RolloutOptions.FallbackCharacters"/>
/// characters are sent instead), when <c>&lt;think&gt;</c> or <c>&lt;/think&gt;</c> is missing (if <see cref="RolloutOptions.RequireThinkTags"/>),
/// or when the response contains CJK characters (U+4E00–U+9FFF).
/// </summary>
public sealed class TagActionParser(RolloutOptions options) : IActionParser
{
    private const string Open = "<action>";
    private const string Close = "</action>";

    /// <inheritdoc />
    public ParsedAction Parse(string response)
    {
        var text = (response ?? string.Empty).ToLowerInvariant();
        var start = text.IndexOf(Open, StringComparison.Ordinal);
        var end = text.IndexOf(Close, StringComparison.Ordinal);
        if (start < 0 || end < 0 || end < start + Open.Length)
        {
            var fallback = text.Length <= options.FallbackCharacters ? text : text[^options.FallbackCharacters..];
            return new ParsedAction(fallback, Valid: false);
        }

        var action = text[(start + Open.Length)..end].Trim();
        var valid = action.Length > 0;
        if (options.RequireThinkTags && (!text.Contains("<think>", StringComparison.Ordinal) || !text.Contains("</think>", StringComparison.Ordinal)))
            valid = false;
        if (text.Any(c => c is >= '\u4e00' and <= '\u9fff')) valid = false;
        return new ParsedAction(action, valid);
    }
}
