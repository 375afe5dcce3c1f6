using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Backend.Tests.ChatTemplates;

/// <summary>Tool calls read from model output, which is untrusted: well-formed blocks become calls, anything else stays text, nothing throws.</summary>
public sealed class ToolCallParserTests
{
    [Test]
    public void Well_formed_blocks_become_calls_in_order_and_the_rest_is_the_content()
    {
        var (content, calls) = ToolCallParser.Parse(
            "Let me look.\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\": \"2018 World Cup\"}}\n</tool_call>\n" +
            "<tool_call>{\"name\": \"now\", \"arguments\": {}}</tool_call>");
        Assert.That(content, Is.EqualTo("Let me look."));
        Assert.That(calls.Select(c => c.Name), Is.EqualTo(new[] { "search", "now" }));
        Assert.That(calls[0].Arguments!.ToJsonString(), Is.EqualTo("""{"query":"2018 World Cup"}"""));
        Assert.That(calls.Select(c => c.Id), Is.All.StartsWith("call_"));
        Assert.That(calls.Select(c => c.Id), Is.Unique);
    }

    [TestCase("<tool_call>not json</tool_call> tail")]
    [TestCase("<tool_call>{\"arguments\": {}}</tool_call>")]
    [TestCase("<tool_call>[1, 2]</tool_call>")]
    [TestCase("<tool_call>{\"name\": 3}</tool_call>")]
    [TestCase("<tool_call>{\"name\": \"\"}</tool_call>")]
    [TestCase("no call at all")]
    [TestCase(DeeplyNested)]
    public void A_block_that_is_not_a_call_stays_in_the_content_as_written(string text)
    {
        var (content, calls) = ToolCallParser.Parse(text);
        Assert.That(calls, Is.Empty);
        Assert.That(content, Is.EqualTo(text));
    }

    private const string DeeplyNested = "<tool_call>{\"name\": \"f\", \"arguments\": " + Nest + "1" + Unnest + "}</tool_call>";
    private const string Nest = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[";
    private const string Unnest = "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";

    [Test]
    public void An_unclosed_last_block_counts_and_parameters_stand_for_arguments()
    {
        var (content, calls) = ToolCallParser.Parse("<tool_call>{\"name\": \"f\", \"parameters\": {\"x\": 1}}");
        Assert.That(content, Is.Empty);
        Assert.That(calls.Single().Arguments, Is.InstanceOf<JsonObject>());
        Assert.That(calls.Single().Arguments!["x"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public void A_reply_of_a_thousand_blocks_yields_at_most_the_limit()
    {
        var text = string.Concat(Enumerable.Repeat("<tool_call>{\"name\": \"f\"}</tool_call>", 1000));
        Assert.That(ToolCallParser.Parse(text).Calls, Has.Count.EqualTo(ToolCallParser.MaxCalls));
    }
}
