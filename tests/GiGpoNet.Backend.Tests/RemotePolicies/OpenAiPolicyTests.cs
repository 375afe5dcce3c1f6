using System.Net;
using System.Text;
using GiGpoNet.Advantages;
using GiGpoNet.Backend.Learning;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Backend.Training;
using GiGpoNet.Data;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using GiGpoNet.Policies.OpenAI;
using GiGpoNet.Serving;

namespace GiGpoNet.Backend.Tests.RemotePolicies;

/// <summary>The <c>openai</c> policy against a real OpenAI-compatible server (<see cref="PolicyServer"/>, loopback HTTP) and against broken ones.</summary>
public sealed class OpenAiPolicyTests
{
    private static readonly string[] Corpus = ["go to the fridge and open it", "take the apple from the table", "look around"];
    private static readonly PolicyPrompt[] Prompts = [new("go to the fridge"), new("take the apple", ["open it", "look around"]), new("look")];
    private string _root = "";

    [SetUp]
    public void CreateFolder() => _root = Directory.CreateTempSubdirectory("gigpo-openai-").FullName;

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Served_generations_are_the_learners_own_tokens_and_log_probs()
    {
        using var learner = Learner(new LoraOptions());
        await using var server = await Serve(learner);
        using var policy = new OpenAiPolicy(Options(server), (IPromptTokenizer)learner.Policy);
        var settings = new GenerationSettings(0, 1, -1, 6, [], Seed: 1);

        var served = await policy.GenerateAsync(Prompts, settings);
        var local = await learner.Policy.GenerateAsync(Prompts, settings);
        for (var i = 0; i < Prompts.Length; i++)
        {
            Assert.That(served[i].Failure, Is.Null);
            Assert.That(served[i].PromptTokenIds, Is.EqualTo(local[i].PromptTokenIds), "the prompt is sent as the learner's token ids");
            Assert.That(served[i].ResponseTokenIds, Is.EqualTo(local[i].ResponseTokenIds), $"prompt {i}");
            Assert.That(served[i].ModelLogProbs, Is.EqualTo(local[i].ModelLogProbs).Within(1e-5), $"prompt {i}");
            Assert.That(served[i].Truncated, Is.EqualTo(local[i].Truncated));
        }
        Assert.That(served[1].Text, Is.AnyOf("open it", "look around"), "the allowed responses go as guided_choice");
    }

    [Test]
    public async Task A_constrained_turn_gets_its_whole_choice_even_when_it_is_longer_than_the_token_limit_as_in_process()
    {
        using var learner = Learner(new LoraOptions());
        await using var server = await Serve(learner);
        using var policy = new OpenAiPolicy(Options(server), (IPromptTokenizer)learner.Policy);
        PolicyPrompt[] prompts = [new("take the apple", ["take the apple from the table", "go to the fridge and open it"])];
        var settings = new GenerationSettings(0, 1, -1, 2, [], Seed: 1); // two tokens: fewer than either choice needs

        var served = (await policy.GenerateAsync(prompts, settings))[0];
        var local = (await learner.Policy.GenerateAsync(prompts, settings))[0];
        Assert.That(local.Text, Is.AnyOf(prompts[0].AllowedResponses!.ToArray()), "the in-process policy finishes the choice");
        Assert.That(served.Text, Is.EqualTo(local.Text), "and so does the served one");
        Assert.That(served.ResponseTokenIds, Is.EqualTo(local.ResponseTokenIds));
        Assert.That(served.Truncated, Is.False);
    }

    [TestCase(0)]
    [TestCase(8)]
    public async Task After_a_sync_the_server_samples_with_the_weights_just_trained(int loraRank)
    {
        using var learner = Learner(new LoraOptions { Rank = loraRank, Alpha = 16 });
        await using var server = await Serve(learner);
        using var policy = new OpenAiPolicy(Options(server), (IPromptTokenizer)learner.Policy);
        await policy.SyncWeightsAsync(learner);
        Train(learner, await policy.GenerateAsync(Prompts, new GenerationSettings(1, 1, -1, 6, [], Seed: 2)));

        var settings = new GenerationSettings(0, 1, -1, 6, [], Seed: 3);
        var stale = await policy.GenerateAsync(Prompts, settings);
        await policy.SyncWeightsAsync(learner);
        var synced = await policy.GenerateAsync(Prompts, settings);
        var recomputed = learner.Prepare(Batch(synced)).OldLogProbs!;
        var staleRecomputed = learner.Prepare(Batch(stale)).OldLogProbs!;
        for (var i = 0; i < Prompts.Length; i++)
            Assert.That(synced[i].ModelLogProbs, Is.EqualTo(recomputed[i].ToArray()).Within(1e-5), $"prompt {i}: the same weights on both sides");
        Assert.That(Enumerable.Range(0, Prompts.Length).Any(i => stale[i].ModelLogProbs!.Zip(staleRecomputed[i].ToArray()).Any(p => Math.Abs(p.First - p.Second) > 1e-3)),
            Is.True, "before the sync the server still had the old weights");
        Assert.That(policy.ServedModel, loraRank > 0 ? Is.EqualTo("tiny-sync-2") : Is.EqualTo("tiny"), "a LoRA sync samples with the adapter it loaded");
        Assert.That(Directory.GetDirectories(_root + "/sync").Length, Is.LessThanOrEqualTo(2), "older synced weights are deleted");
    }

    [Test]
    public async Task The_start_up_check_names_what_the_server_lacks()
    {
        using var learner = Learner(new LoraOptions());
        await using var server = await Serve(learner);
        var wrongModel = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => OpenAiPolicy.CheckServerAsync(Options(server, model: "qwen")))!;
        Assert.That(wrongModel.Message, Does.Contain("does not serve 'qwen'").And.Contain("tiny"));
        Assert.DoesNotThrowAsync(() => OpenAiPolicy.CheckServerAsync(Options(server)));

        var unreachable = Assert.ThrowsAsync<GiGpoNetConfigurationException>(() => OpenAiPolicy.CheckServerAsync(new OpenAiPolicyOptions
        {
            BaseAddress = "http://127.0.0.1:1/v1", Model = "tiny", Retries = 0, TimeoutSeconds = 5,
        }))!;
        Assert.That(unreachable.Message, Does.Contain("Policies:openai:BaseAddress").And.Contain("could not be reached"));
    }

    [Test]
    public async Task A_server_without_token_ids_or_log_probs_fails_the_prompt_with_the_reason()
    {
        using var learner = Learner(new LoraOptions());
        var answer = """{"choices": [{"text": "go", "finish_reason": "stop", "logprobs": {"tokens": ["go"], "token_logprobs": [-0.5]}}]}""";
        using var policy = new OpenAiPolicy(new OpenAiPolicyOptions { BaseAddress = "http://server/v1", Model = "tiny" }, (IPromptTokenizer)learner.Policy,
            new Answering(_ => (HttpStatusCode.OK, answer)));
        var generations = await policy.GenerateAsync([Prompts[0]], new GenerationSettings(0, 1, -1, 4, [], 1));
        Assert.That(generations[0].Failure, Does.Contain("no token ids"));
    }

    [Test]
    public async Task A_restarting_server_is_retried_and_one_that_stays_down_fails_only_its_prompts()
    {
        using var learner = Learner(new LoraOptions());
        var answer = """{"choices": [{"text": "go", "finish_reason": "length", "token_ids": [5], "logprobs": {"tokens": ["token_id:5"], "token_logprobs": [-0.25]}}]}""";
        var calls = 0;
        var restarting = new Answering(_ => Interlocked.Increment(ref calls) <= 2 ? (HttpStatusCode.ServiceUnavailable, "{}") : (HttpStatusCode.OK, answer));
        using (var policy = new OpenAiPolicy(Options("http://server/v1", retries: 3), (IPromptTokenizer)learner.Policy, restarting))
        {
            var generated = (await policy.GenerateAsync([Prompts[0]], new GenerationSettings(0, 1, -1, 4, [], 1)))[0];
            Assert.That(generated.Failure, Is.Null);
            Assert.That((generated.ResponseTokenIds, generated.LogProbs, generated.Truncated), Is.EqualTo(((int[])[5], (float[])[-0.25f], true)));
        }
        var down = new Answering(request => request.Content!.ReadAsStringAsync().Result.Contains("\"prompt\":[" + string.Join(',', ((IPromptTokenizer)learner.Policy)
            .EncodePrompt(Prompts[2].UserMessage)) + "]") ? (HttpStatusCode.BadGateway, """{"error": {"message": "upstream gone"}}""") : (HttpStatusCode.OK, answer));
        using (var policy = new OpenAiPolicy(Options("http://server/v1", retries: 2), (IPromptTokenizer)learner.Policy, down))
        {
            var generations = await policy.GenerateAsync(Prompts, new GenerationSettings(0, 1, -1, 4, [], 1));
            Assert.That(generations.Select(g => g.Failure is null), Is.EqualTo(new[] { true, true, false }));
            Assert.That(generations[2].Failure, Does.Contain("502").And.Contain("upstream gone"));
        }
    }

    private OpenAiPolicyOptions Options(PolicyServer server, string model = "tiny") =>
        new() { BaseAddress = server.Addresses[0] + "/v1", Model = model, SyncDirectory = Path.Combine(_root, "sync"), Retries = 1, RetryDelayMilliseconds = 10 };

    private OpenAiPolicyOptions Options(string address, int retries) =>
        new() { BaseAddress = address, Model = "tiny", Retries = retries, RetryDelayMilliseconds = 1, SyncDirectory = Path.Combine(_root, "sync") };

    private static TorchLearner Learner(LoraOptions lora)
    {
        var tokenizer = WordLevelTokenizer.Build(Corpus, 40);
        var learner = new TorchLearner(TinyModels.Create(seed: 71, vocabulary: tokenizer.VocabularySize), tokenizer, 256,
            new UpdateOptions { UseKlLoss = false, LearningRate = 0.05, Epochs = 4 }, lora);
        learner.BeginReinforcement(new ReinforcementStart(Critic: false, ResumeFrom: null, Seed: 1));
        return learner;
    }

    /// <summary>Serves the learner's weights as they are now, on a free loopback port.</summary>
    private async Task<PolicyServer> Serve(TorchLearner learner)
    {
        var folder = Path.Combine(_root, "served");
        learner.SavePolicy(folder);
        var server = PolicyServer.Load(folder, new PolicyServerOptions { Urls = "http://127.0.0.1:0", ServedModelName = "tiny" }, new BackendOptions { Device = "cpu" });
        await server.StartAsync();
        return server;
    }

    private static RolloutBatch Batch(IReadOnlyList<PolicyGeneration> generations) => RolloutBatch.Create(generations.Select((g, t) => new StepRow
    {
        GroupId = "g", TrajectoryId = $"t{t}", StepIndex = 0, Reward = t % 2, PromptTokenIds = g.PromptTokenIds, ResponseTokenIds = g.ResponseTokenIds,
        RolloutLogProbs = g.ModelLogProbs,
    }));

    /// <summary>One update that changes the weights: the first prompt's answer is rewarded, the others are not.</summary>
    private static void Train(TorchLearner learner, IReadOnlyList<PolicyGeneration> generations)
    {
        var batch = learner.Prepare(Batch(generations));
        learner.Update(batch, AdvantageResult.PerRow([.. Enumerable.Range(0, batch.RowCount).Select(r => r == 0 ? 1.0 : -1.0)]));
    }

    /// <summary>A fake server: every request gets the status and body the function chooses.</summary>
    private sealed class Answering(Func<HttpRequestMessage, (HttpStatusCode Status, string Body)> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var (status, body) = answer(request);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
