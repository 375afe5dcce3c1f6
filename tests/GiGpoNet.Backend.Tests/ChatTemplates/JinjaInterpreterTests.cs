using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tests.References;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Tokenization.Jinja;

namespace GiGpoNet.Backend.Tests.ChatTemplates;

/// <summary>
/// The Jinja interpreter against Python's jinja2 in transformers' configuration, template by template: whitespace control, statements,
/// expressions, filters, tests, methods and failures. Each template renders to the same text, or fails in both.
/// </summary>
public sealed class JinjaInterpreterTests
{
    private static readonly JsonObject Messages = new()
    {
        ["messages"] = new JsonArray(
            new JsonObject { ["role"] = "system", ["content"] = "Be brief." },
            new JsonObject { ["role"] = "user", ["content"] = "  Hi there!\n" },
            new JsonObject { ["role"] = "assistant", ["content"] = "<think>\nplan\n</think>\n\nHello.", ["tool_calls"] = null },
            new JsonObject { ["role"] = "user", ["content"] = "Ünïcödé 日本 🙂 \"quoted\" 'single'" }),
        ["tools"] = new JsonArray(new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = "get_weather", ["description"] = "Weather in a city", ["parameters"] = new JsonObject
                {
                    ["type"] = "object", ["properties"] = new JsonObject { ["city"] = new JsonObject { ["type"] = "string" }, ["days"] = new JsonObject { ["type"] = "integer" } },
                    ["required"] = new JsonArray("city"),
                },
            },
        }),
        ["add_generation_prompt"] = true,
        ["bos_token"] = "<s>",
        ["numbers"] = new JsonArray(3, 1.5, -2, 0, 10000000000000000.0, 0.0001, 0.00001, 1e300, 2.5e-10),
        ["flag"] = false,
        ["empty"] = "",
        ["nothing"] = null,
        ["nested"] = new JsonObject { ["a"] = new JsonObject { ["b"] = new JsonArray(1, 2, new JsonObject { ["c"] = "deep" }) }, ["z"] = true },
    };

    /// <summary>Templates that exercise one feature each; the same variables for all.</summary>
    private static readonly string[] Templates =
    [
        // whitespace: trim_blocks, lstrip_blocks, -, +, comments, raw
        "a\n{% if true %}\n  b\n{% endif %}\nc",
        "  {% if true %}x{% endif %}  \n  {%- if true %} y {% endif -%}  \nz",
        "{% for m in messages %}\n    {{- m.role }}\n{% endfor %}",
        "line\n    {%+ if true %}kept{% endif %}\n",
        "a {# a comment #}\n b {#- stripped -#}   c\n  {# alone #}\nd",
        "{% raw %}{{ not rendered }} {% if %}{% endraw %} after",
        "x\r\ny\r\n{% if true %}\r\nz{% endif %}\n",
        "{{ 'a' }}\n{{ 'b' -}}\n   c {{- ' d' }}",
        "{%- for m in messages -%}\n  [{{ loop.index }}/{{ loop.length }} {{ loop.first }} {{ loop.last }} {{ loop.revindex0 }}]\n{%- endfor %}",
        // loops: filters, else, break, continue, nested loop variables, unpacking, dict iteration, cycle, previtem
        "{% for m in messages if m.role == 'user' %}{{ loop.index0 }}:{{ m.content | trim }};{% else %}none{% endfor %}",
        "{% for m in [] %}x{% else %}empty{% endfor %}",
        "{% for n in numbers %}{% if n < 0 %}{% continue %}{% endif %}{% if n > 100 %}{% break %}{% endif %}{{ n }},{% endfor %}",
        "{% for m in messages %}{% for c in m.role %}{{ loop.index }}{% endfor %}|{{ loop.index }} {% endfor %}",
        "{% for k, v in nested.items() %}{{ k }}={{ v }};{% endfor %}",
        "{% for k in nested %}{{ k }} {% endfor %}{% for i in range(3) %}{{ loop.cycle('a', 'b') }}{% endfor %}",
        "{% for n in numbers[:3] %}{{ loop.previtem }}>{{ n }}>{{ loop.nextitem }} {% endfor %}",
        // set, scoping, namespace, block set
        "{% set x = 1 %}{% for i in range(3) %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}",
        "{% set ns = namespace(count=0, last=none) %}{% for m in messages %}{% set ns.count = ns.count + 1 %}{% set ns.last = m.role %}{% endfor %}{{ ns.count }} {{ ns.last }}",
        "{% set a, b = 1, 'two' %}{{ a }} {{ b }}{% set captured %}inside {{ a }}{% endset %}[{{ captured }}]",
        "{% if true %}{% set inner = 'visible' %}{% endif %}{{ inner }}",
        // expressions: arithmetic, precedence, comparisons, in, concatenation, conditional, literals
        "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 1.5 * 2 }}",
        "{{ 'a' ~ 1 ~ none ~ true }} {{ 'x' + 'y' }} {{ [1, 2] + [3] }} {{ 'ab' * 3 }} {{ -numbers[0] }}",
        "{{ 1 < 2 < 3 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ true == 1 }} {{ none == none }} {{ [1, 2] == [1, 2] }} {{ 'a' != 'b' }}",
        "{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'a' in nested }} {{ 'q' not in nested }} {{ 'x' in undefined_thing }}",
        "{{ 'yes' if flag else 'no' }} {{ 'only' if true }}|{{ 'never' if false }}| {{ not flag and true or 'x' }} {{ flag or empty or 'fallback' }}",
        "{{ [1, 'a', none, true, 1.0, [2], {'k': 'v'}] }} {{ (1,) }} {{ (1, 2) }} {{ {'a': 1, 'b': [1, 2]} }}",
        "{{ \"it's\" }} {{ 'say \"hi\"' }} {{ ['it\\'s', \"\\\"q\\\"\", 'both \\' \"'] }} {{ 'tab\\there\\nnewline\\\\' }}",
        "{{ numbers }}",
        "{{ numbers[0] + numbers[1] }} {{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ 1e16 }} {{ 123456789012345678 }} {{ 1e-5 }} {{ 100.0 }}",
        // attribute and item lookup, slices, negative indexes, undefined
        "{{ nested.a.b[2].c }} {{ nested['a']['b'][-1]['c'] }} {{ messages[-1].role }} {{ messages[10] }}|{{ nested.missing }}|{{ nested.z }}",
        "{{ messages[::-1][0].role }} {{ 'abcdef'[1:4] }} {{ 'abcdef'[::2] }} {{ 'abcdef'[-2:] }} {{ [1, 2, 3, 4][1:-1] }} {{ 'abc'[::-1] }} {{ 'abc'[5:] }}",
        "{{ undefined_thing }}|{{ undefined_thing | length }}|{% for x in undefined_thing %}x{% endfor %}|{{ undefined_thing is defined }}",
        "{{ nothing }} {{ nothing is none }} {{ nothing.attr }}|{{ flag is false }} {{ flag is sameas false }}",
        // string methods
        "{{ messages[1].content.strip() }}|{{ '  x  '.lstrip() }}|{{ '  x  '.rstrip() }}|{{ 'xxhixx'.strip('x') }}|{{ '\\n\\na\\n'.lstrip('\\n') }}",
        "{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a</think>b</think>c'.split('</think>')[-1] }} {{ 'a b c'.rsplit(' ', 1) }}",
        "{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('lo', 'x')) }} {{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'Ab'.upper() }}{{ 'Ab'.lower() }}",
        "{{ 'banana'.replace('a', 'o') }} {{ 'banana'.replace('a', 'o', 2) }} {{ 'banana'.find('n') }} {{ 'banana'.count('an') }} {{ '-'.join(['a', 'b']) }}",
        "{{ nested.items() | list }} {{ nested.keys() | list }} {{ nested.get('z') }} {{ nested.get('q', 'dflt') }} {{ nested.get('q') }}",
        // filters
        "{{ tools | tojson }}",
        "{{ tools[0] | tojson(indent=4) }}",
        "{{ nested | tojson(sort_keys=true) }} {{ messages[3].content | tojson }} {{ numbers | tojson }} {{ [] | tojson }} {{ {} | tojson(indent=2) }}",
        "{{ messages | length }} {{ 'abc' | length }} {{ nested | count }} {{ messages | first | tojson }} {{ numbers | last }} {{ 3 | string }}",
        "{{ '  pad  ' | trim }}|{{ 'x' | upper }}{{ 'Y' | lower }} {{ 'hello world' | title }} {{ 'ab' | replace('a', 'A') }} {{ 'x' | capitalize }}",
        "{{ undefined_thing | default('d') }} {{ empty | default('d') }}|{{ empty | default('d', true) }} {{ none | default('d') }} {{ flag | d('x', true) }}",
        "{{ [3, 1, 2] | sort }} {{ [3, 1, 2] | sort(reverse=true) }} {{ messages | map(attribute='role') | join(', ') }} {{ [1, 2, 2, 3] | unique | list }}",
        "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | list | length }} {{ messages | rejectattr('role', 'eq', 'user') | list | length }}",
        "{{ numbers | select('number') | list | length }} {{ [0, 1, '', 'a', none] | select | list }} {{ [1, 2, 3] | reject('odd') | list }}",
        "{{ [1, 2, 3] | sum }} {{ [1, 2, 3] | max }} {{ [4, 2, 8] | min }} {{ [1, 2] | reverse | list }} {{ 'abc' | reverse }} {{ -3 | abs }} {{ 2.567 | round(2) }}",
        "{{ '3' | int + 1 }} {{ 'x' | int }} {{ '2.5' | float }} {{ 3 | float }} {{ nested | dictsort }} {{ 'a b  c' | wordcount }}",
        "{{ 'line1\\nline2\\n\\nline4' | indent(2) }}|{{ 'a\\nb' | indent(4, true) }}",
        "{{ '<b> & \"q\"' | e }} {{ '<b>' | safe }} {{ messages | map('string') | list | length }}",
        "{% filter upper %}shout {{ 'me' }}{% endfilter %}",
        // tests
        "{{ 1 is odd }} {{ 2 is even }} {{ 9 is divisibleby 3 }} {{ 'a' is string }} {{ 1 is number }} {{ 1.0 is float }} {{ 1 is integer }} {{ nested is mapping }}",
        "{{ numbers is iterable }} {{ messages is sequence }} {{ 'x' is lower }} {{ 'X' is upper }} {{ none is none }} {{ 1 is not none }} {{ true is boolean }}",
        "{{ 'a' is in ['a', 'b'] }} {{ 3 is gt 2 }} {{ 2 is le 2 }} {{ 2 is ne 3 }} {{ range is callable }} {{ not messages[0].content is defined }}",
        // macros, globals
        "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('you') }} {{ greet('me', greeting='Hi') }} {{ greet('x', 'Yo') }}",
        "{{ range(5) | list }} {{ range(2, 8, 3) | list }} {{ range(5, 0, -2) | list }} {{ dict(a=1, b='x') }} {{ strftime_now('%d %b %Y %H:%M') }}",
        "{% generation %}generated {{ 1 }}{% endgeneration %}",
        // failures that both must report
        "{{ raise_exception('Conversation roles must alternate') }}",
        "{{ undefined_thing.attr }}",
        "{{ undefined_thing + 1 }}",
        "{{ 'a' + 1 }}",
        "{{ 1 / 0 }}",
        "{% if %}",
        "{% for x in %}{% endfor %}",
        "{{ nothing + 'x' }}",
        "{% set messages.x = 1 %}",
        "{{ 'x' in 1 }}",
    ];

    [Test]
    public void Every_template_renders_as_python_jinja2_renders_it_or_fails_where_it_fails()
    {
        var reference = PythonJinja.Render([.. Templates.Select(t => (t, Messages))]);
        var clock = () => new DateTime(2026, 7, 26, 9, 5, 3);
        var mismatches = new List<string>();
        for (var i = 0; i < Templates.Length; i++)
        {
            string? text = null, error = null;
            try
            {
                text = JinjaTemplate.Parse(Templates[i]).Render(Messages.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()), clock).Text;
            }
            catch (ChatTemplateException e)
            {
                error = e.Message;
            }
            var (expected, expectedError) = reference[i];
            if (expectedError is not null && error is null) mismatches.Add($"#{i} {Templates[i]}: Python fails ({expectedError}), ours renders {text}");
            else if (expectedError is null && error is not null) mismatches.Add($"#{i} {Templates[i]}: Python renders {expected}, ours fails ({error})");
            else if (expected != text)
                mismatches.Add($"#{i} {Templates[i]}:\n  python: {JsonSerializer.Serialize(expected)}\n  ours:   {JsonSerializer.Serialize(text)}");
        }
        Assert.That(mismatches, Is.Empty, string.Join("\n", mismatches));
    }

    [Test]
    public void Raise_exception_is_the_templates_own_refusal_and_says_its_message()
    {
        var e = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Parse("{{ raise_exception('Only user and assistant roles are supported!') }}")
            .Render(new Dictionary<string, object?>()))!;
        Assert.That(e.RaisedByTemplate, Is.True);
        Assert.That(e.Message, Is.EqualTo("Only user and assistant roles are supported!"));
    }

    [TestCase("{% for i in range(2000000) %}{% endfor %}", "range()")]
    [TestCase("{% for i in range(1000000) %}{% for j in range(10) %}{% endfor %}{% endfor %}", "loop iterations")]
    [TestCase("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "nest deeper")]
    [TestCase("{% set s = 'x' * 10000000 %}{{ s }}{{ s }}{{ s }}{{ s }}", "exceed")]
    public void A_hostile_template_stops_with_a_message_instead_of_running_on(string template, string message)
    {
        var e = Assert.Throws<ChatTemplateException>(() => JinjaTemplate.Parse(template).Render(new Dictionary<string, object?>()))!;
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void Data_keeps_its_marks_through_concatenation_slicing_and_stripping_and_template_text_has_none()
    {
        var rendered = JinjaTemplate.Parse("{{ '<|im_start|>' + messages[0].content.strip()[0:6] + '<|im_end|>' }}{{ messages[0].content | trim | upper }}")
            .Render(new Dictionary<string, object?> { ["messages"] = new JsonArray(new JsonObject { ["content"] = "  <|im_end|>x  " }) });
        Assert.That(rendered.Text, Is.EqualTo("<|im_start|><|im_e<|im_end|><|IM_END|>X"));
        Assert.That(rendered.DataRanges().ToList(), Is.EqualTo(new[] { (12, 6), (28, 11) }));
    }
}
