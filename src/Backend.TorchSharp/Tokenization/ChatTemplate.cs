using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tokenization.Jinja;

namespace GiGpoNet.Backend.Tokenization;

/// <summary>
/// A model's chat template: the Jinja2 string of its <c>tokenizer_config.json</c> (or <c>chat_template.jinja</c>) rendered as
/// transformers' <c>apply_chat_template</c> renders it, with the messages, the tools, <c>add_generation_prompt</c>, the tokenizer's
/// special tokens (<c>bos_token</c>, <c>eos_token</c>, ...) and any extra arguments (<c>enable_thinking</c>). Policies trained from
/// scratch use <see cref="ChatML"/>.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>ChatML without a default system prompt: <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message.</summary>
    internal const string ChatMLSource =
        "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private readonly JinjaTemplate _template;
    private readonly IReadOnlyDictionary<string, object?> _specialTokens;

    private ChatTemplate(string source, JinjaTemplate template, IReadOnlyDictionary<string, object?> specialTokens)
    {
        Source = source;
        _template = template;
        _specialTokens = specialTokens;
    }

    /// <summary>The template of policies trained from scratch.</summary>
    public static ChatTemplate ChatML { get; } = Parse(ChatMLSource, new Dictionary<string, string?>(), "the built-in ChatML template");

    /// <summary>The Jinja source.</summary>
    public string Source { get; }

    /// <summary>The clock <c>strftime_now</c> reads (the local time unless set, for reproducible prompts).</summary>
    public Func<DateTime> Clock { get; init; } = () => DateTime.Now;

    /// <summary>Compiles <paramref name="source"/>; <paramref name="where"/> names it in errors.</summary>
    /// <param name="source">The Jinja2 template.</param>
    /// <param name="specialTokens">Variables such as <c>bos_token</c> and <c>eos_token</c> (null values are left undefined).</param>
    /// <param name="where">The file it came from, for messages.</param>
    /// <exception cref="ChatTemplateException">The template does not parse, or uses a statement not implemented here.</exception>
    public static ChatTemplate Parse(string source, IReadOnlyDictionary<string, string?> specialTokens, string where)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(specialTokens);
        try
        {
            return new ChatTemplate(source, JinjaTemplate.Parse(source),
                specialTokens.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal));
        }
        catch (ChatTemplateException e)
        {
            throw new ChatTemplateException($"{where}: the chat template cannot be compiled: {e.Message}", e);
        }
    }

    /// <summary>Renders <paramref name="request"/>.</summary>
    /// <exception cref="ArgumentException">The request has a <see cref="ChatRequest.Problem"/>.</exception>
    /// <exception cref="ChatTemplateException">The template failed, or refused the conversation (its <c>raise_exception</c>; the message is the template's).</exception>
    public RenderedPrompt Render(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Problem() is { } problem) throw new ArgumentException(problem, nameof(request));
        var variables = new Dictionary<string, object?>(_specialTokens, StringComparer.Ordinal)
        {
            ["messages"] = new JsonArray([.. request.Messages.Select(m => (JsonNode)m.ToJson())]),
            ["tools"] = request.Tools?.DeepClone(),
            ["add_generation_prompt"] = request.AddGenerationPrompt,
        };
        foreach (var (key, value) in request.TemplateArguments ?? new Dictionary<string, JsonNode?>())
            variables[key] = value?.DeepClone();
        var rendered = _template.Render(variables, Clock);
        return new RenderedPrompt(rendered.Text, [.. rendered.DataRanges()]);
    }
}
