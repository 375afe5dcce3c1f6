using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Extensions.AI;
using Microsoft.Extensions.AI;

namespace GiGpoNet.Backend.Tests.ChatClient;

/// <summary>A saved policy through <see cref="IChatClient"/>: the same reply as the generator, streaming that adds up to it, constraints, errors.</summary>
public sealed class PolicyChatClientTests
{
    private static readonly string[] Corpus = ["go to the kitchen", "open the fridge", "take the apple from the table", "you see a mug and a knife"];
    private string _folder = "";

    [OneTimeSetUp]
    public void SavePolicy()
    {
        _folder = Path.Combine(Path.GetTempPath(), "gigpo-chat-" + Guid.NewGuid().ToString("N"));
        var tokenizer = WordLevelTokenizer.Build(Corpus, 50);
        using var model = TinyModels.Create(seed: 51, vocabulary: tokenizer.VocabularySize);
        PolicyCheckpoints.Save(model, tokenizer, _folder);
    }

    [OneTimeTearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, true);
    }

    [Test]
    public async Task A_reply_is_what_the_generator_samples_from_the_chat_template()
    {
        using var client = PolicyChatClient.Load(_folder);
        var options = new ChatOptions { Temperature = 0.7f, Seed = 5, MaxOutputTokens = 12 };
        var response = await client.GetResponseAsync("open the fridge", options);

        var (model, tokenizer) = PolicyCheckpoints.Load(_folder, new BackendOptions { Device = "cpu" });
        using (model)
        {
            var prompt = tokenizer.Encode(tokenizer.ApplyChatTemplate("open the fridge"));
            var expected = new TextGenerator(model, tokenizer).Generate([prompt], new SamplingOptions(0.7f, MaxNewTokens: 12, Seed: 5))[0];
            Assert.That(response.Text, Is.EqualTo(tokenizer.Decode(expected.TokenIds.Where(id => !tokenizer.EndOfTurnIds.Contains(id)).ToArray())));
            Assert.That(response.Usage!.InputTokenCount, Is.EqualTo(prompt.Length));
            Assert.That(response.Usage.OutputTokenCount, Is.EqualTo(expected.TokenIds.Length));
            Assert.That(response.FinishReason, Is.EqualTo(expected.Truncated ? ChatFinishReason.Length : ChatFinishReason.Stop));
        }
        Assert.That(response.Messages.Single().Role, Is.EqualTo(ChatRole.Assistant));
    }

    [Test]
    public async Task Streaming_updates_add_up_to_the_reply_and_end_with_the_usage()
    {
        using var client = PolicyChatClient.Load(_folder);
        var options = new ChatOptions { Temperature = 1f, Seed = 9, MaxOutputTokens = 10 };
        var whole = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "you are a butler"), new ChatMessage(ChatRole.User, "take the apple")], options);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.System, "you are a butler"), new ChatMessage(ChatRole.User, "take the apple")],
                           options))
            updates.Add(update);
        Assert.That(string.Concat(updates.Select(u => u.Text)), Is.EqualTo(whole.Text));
        Assert.That(updates[^1].FinishReason, Is.EqualTo(whole.FinishReason));
        Assert.That(updates[^1].Contents.OfType<UsageContent>().Single().Details.OutputTokenCount, Is.EqualTo(whole.Usage!.OutputTokenCount));
        Assert.That(updates.Select(u => u.ResponseId).Distinct().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task Allowed_responses_constrain_the_reply()
    {
        using var client = PolicyChatClient.Load(_folder);
        string[] allowed = ["open the fridge", "go to the kitchen"];
        for (var seed = 0; seed < 6; seed++)
        {
            var options = new ChatOptions { Temperature = 1f, Seed = seed, AdditionalProperties = new() { [PolicyChatClient.AllowedResponsesKey] = allowed } };
            Assert.That(allowed, Does.Contain((await client.GetResponseAsync("what now?", options)).Text));
        }
    }

    [Test]
    public async Task A_reply_that_calls_a_tool_is_a_function_call_and_its_result_goes_back_as_a_tool_message()
    {
        using var client = PolicyChatClient.Load(_folder);
        var open = AIFunctionFactory.Create((string what) => $"The {what} is open.", "open", "Open a thing");
        const string call = "<tool_call>{\"name\": \"open\", \"arguments\": {\"what\": \"fridge\"}}</tool_call>";
        var options = new ChatOptions { Tools = [open], AdditionalProperties = new() { [PolicyChatClient.AllowedResponsesKey] = new[] { call } } };
        var response = await client.GetResponseAsync("open the fridge", options);
        Assert.That(response.FinishReason, Is.EqualTo(ChatFinishReason.ToolCalls));
        var function = response.Messages.Single().Contents.OfType<FunctionCallContent>().Single();
        Assert.That(function.Name, Is.EqualTo("open"));
        Assert.That(function.Arguments!["what"]!.ToString(), Is.EqualTo("fridge"));

        // The result goes back as a tool message; the next reply is generated from a prompt that holds it.
        List<ChatMessage> conversation = [new(ChatRole.User, "open the fridge"), response.Messages.Single(),
            new(ChatRole.Tool, [new FunctionResultContent(function.CallId, "The fridge is open.")])];
        var next = await client.GetResponseAsync(conversation, new ChatOptions { MaxOutputTokens = 2 });
        var tokenizer = WordLevelTokenizer.Build(Corpus, 50);
        var prompt = tokenizer.EncodeChat(new ChatRequest
        {
            Messages = [new ChatTurn("user", "open the fridge"), new ChatTurn("assistant", "") { ToolCalls = [new ToolCall("open", null)] },
                new ChatTurn("tool", "The fridge is open.")],
        });
        Assert.That(next.Usage!.InputTokenCount, Is.EqualTo(prompt.Length));
    }

    [Test]
    public void Bad_requests_are_argument_errors_and_metadata_is_served()
    {
        using var client = PolicyChatClient.Load(_folder);
        Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new ChatMessage(new ChatRole("robot"), "42")]));
        Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { MaxOutputTokens = 0 }));
        Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync("hi", new ChatOptions { AdditionalProperties = new() { [PolicyChatClient.AllowedResponsesKey] = 3 } }));
        var metadata = client.GetService<ChatClientMetadata>();
        Assert.That(metadata!.ProviderName, Is.EqualTo("gigpo"));
        Assert.That(metadata.DefaultModelId, Is.EqualTo(Path.GetFileName(_folder)));
        Assert.That(client.GetService<PolicyChatClient>(), Is.SameAs(client));
    }
}
