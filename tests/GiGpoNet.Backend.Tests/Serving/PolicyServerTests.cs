using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving;
using OpenAI;
using OpenAI.Chat;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Tests.Serving;

/// <summary>
/// <c>serve-policy</c> over plain HTTP and through the OpenAI .NET client: prompt log-probs checked against an independent forward pass,
/// completions against the generator, batching, LoRA hot-loading against the merged weights, a full reload, and bad requests.
/// </summary>
public sealed class PolicyServerTests
{
    private const string ApiKey = "test-key";
    private static readonly string[] Corpus = ["go to the kitchen", "open the fridge", "take the apple from the table", "you see a mug and a knife"];
    private string _root = "";
    private string _base = "";
    private string _other = "";
    private string _adapter = "";
    private string _baseWithAdapter = "";
    private PolicyServer _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _root = Path.Combine(Path.GetTempPath(), "gigpo-serve-" + Guid.NewGuid().ToString("N"));
        (_base, _other, _adapter, _baseWithAdapter) = (Path.Combine(_root, "base"), Path.Combine(_root, "other"), Path.Combine(_root, "lora"),
            Path.Combine(_root, "base-with-adapter"));
        var tokenizer = WordLevelTokenizer.Build(Corpus, 50);
        using (var model = TinyModels.Create(seed: 61, vocabulary: tokenizer.VocabularySize))
        {
            PolicyCheckpoints.Save(model, tokenizer, _base);
            using var adapters = LoraAdapters.Attach(model, new LoraOptions { Rank = 4, Alpha = 8 });
            using (no_grad())
                foreach (var b in adapters.Parameters().Skip(1).Where((_, i) => i % 2 == 0)) b.normal_(0, 0.5); // B ≠ 0: the adapter changes outputs
            adapters.Save(_adapter);
            PolicyCheckpoints.Save(model, tokenizer, _baseWithAdapter, adapters); // the same base, with the adapter to merge on load
        }
        using (var other = TinyModels.Create(seed: 62, vocabulary: tokenizer.VocabularySize)) PolicyCheckpoints.Save(other, tokenizer, _other);

        _server = PolicyServer.Load(_base, new PolicyServerOptions { Urls = "http://127.0.0.1:0", ApiKey = ApiKey, ServedModelName = "tiny", BatchWindowMilliseconds = 50 });
        await _server.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_server.Addresses[0]) };
        _http.DefaultRequestHeaders.Authorization = new("Bearer", ApiKey);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    [Test]
    public async Task Echoed_token_id_prompts_get_the_log_probs_of_an_independent_forward_pass_with_null_first()
    {
        var (model, tokenizer) = PolicyCheckpoints.Load(_base, new BackendOptions { Device = "cpu" });
        using (model)
        {
            var ids = tokenizer.Encode(tokenizer.ApplyChatTemplate("take the apple from the table"));
            var answer = await PostAsync("/v1/completions", new { model = "tiny", prompt = ids, max_tokens = 0, echo = true, logprobs = 2 });
            var logprobs = answer["choices"]![0]!["logprobs"]!;
            var values = logprobs["token_logprobs"]!.AsArray();
            Assert.That(values, Has.Count.EqualTo(ids.Length));
            Assert.That(values[0], Is.Null);
            var expected = FullForwardLogProbs(model, ids);
            for (var i = 1; i < ids.Length; i++) Assert.That(values[i]!.GetValue<float>(), Is.EqualTo(expected[i - 1]).Within(1e-5), $"token {i}");
            var tokens = logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            Assert.That(tokens, Is.EqualTo(ids.Select(id => tokenizer.Decode([id])).ToList()));
            var top = logprobs["top_logprobs"]!.AsArray();
            Assert.That(top[0], Is.Null);
            Assert.That(top[1]!.AsObject().Count, Is.InRange(2, 3), "two most likely, plus the prompt's token when it is not among them");
            Assert.That(answer["usage"]!["prompt_tokens"]!.GetValue<int>(), Is.EqualTo(ids.Length));
            Assert.That(answer["usage"]!["completion_tokens"]!.GetValue<int>(), Is.Zero);
        }
    }

    [Test]
    public async Task A_greedy_completion_is_what_the_generator_produces_with_its_token_ids_and_log_probs()
    {
        var (model, tokenizer) = PolicyCheckpoints.Load(_base, new BackendOptions { Device = "cpu" });
        using (model)
        {
            var prompt = tokenizer.ApplyChatTemplate("open the fridge");
            var expected = new TextGenerator(model, tokenizer).Generate([tokenizer.Encode(prompt)], new SamplingOptions(0, MaxNewTokens: 12))[0];
            var answer = await PostAsync("/v1/completions", new
            {
                model = "tiny", prompt, max_tokens = 12, temperature = 0, logprobs = 0, return_token_ids = true, return_tokens_as_token_ids = true,
            });
            var choice = answer["choices"]![0]!;
            Assert.That(choice["token_ids"]!.AsArray().Select(t => t!.GetValue<int>()), Is.EqualTo(expected.TokenIds));
            Assert.That(choice["prompt_token_ids"]!.AsArray().Select(t => t!.GetValue<int>()), Is.EqualTo(tokenizer.Encode(prompt)));
            Assert.That(choice["text"]!.GetValue<string>(), Is.EqualTo(tokenizer.Decode(expected.TokenIds.Where(id => !tokenizer.EndOfTurnIds.Contains(id)).ToArray())));
            Assert.That(choice["finish_reason"]!.GetValue<string>(), Is.EqualTo(expected.Truncated ? "length" : "stop"));
            var logprobs = choice["logprobs"]!;
            Assert.That(logprobs["tokens"]!.AsArray().Select(t => t!.GetValue<string>()), Is.EqualTo(expected.TokenIds.Select(id => $"token_id:{id}")));
            Assert.That(logprobs["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>()), Is.EqualTo(expected.LogProbs).Within(1e-6));
            Assert.That(answer["object"]!.GetValue<string>(), Is.EqualTo("text_completion"));
        }
    }

    private const string ToolCall = "<tool_call>{\"name\": \"open\", \"arguments\": {\"what\": \"fridge\"}}</tool_call>";

    [Test]
    public async Task A_reply_that_calls_a_tool_comes_back_as_tool_calls_and_tool_answers_render_in_the_next_prompt()
    {
        var tools = new[] { new { type = "function", function = new { name = "open", description = "Open a thing", parameters = new { type = "object" } } } };
        var answer = await PostAsync("/v1/chat/completions", new
        {
            model = "tiny", messages = new[] { new { role = "user", content = "open the fridge" } }, tools, guided_choice = new[] { ToolCall },
        });
        var choice = answer["choices"]![0]!;
        Assert.That(choice["finish_reason"]!.GetValue<string>(), Is.EqualTo("tool_calls"));
        var call = choice["message"]!["tool_calls"]![0]!;
        Assert.That(call["function"]!["name"]!.GetValue<string>(), Is.EqualTo("open"));
        Assert.That(JsonNode.Parse(call["function"]!["arguments"]!.GetValue<string>())!["what"]!.GetValue<string>(), Is.EqualTo("fridge"));
        Assert.That(choice["message"]!["content"], Is.Null);

        // The conversation goes on with the call and its answer; ChatML renders the tool message as its own turn.
        var next = await PostAsync("/v1/chat/completions", new
        {
            model = "tiny", max_tokens = 2, return_token_ids = true, tools,
            messages = new object[]
            {
                new { role = "user", content = "open the fridge" },
                new { role = "assistant", content = (string?)null, tool_calls = new[] { new { id = call["id"]!.GetValue<string>(), type = "function",
                    function = new { name = "open", arguments = "{\"what\": \"fridge\"}" } } } },
                new { role = "tool", content = "The fridge is open.", tool_call_id = call["id"]!.GetValue<string>() },
            },
        });
        var (_, tokenizer) = (0, WordLevelTokenizer.Build(Corpus, 50));
        var prompt = tokenizer.Decode(next["prompt_token_ids"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray());
        Assert.That(prompt, Is.EqualTo("<|im_start|>user\nopen the fridge<|im_end|>\n<|im_start|>assistant\n<|im_end|>\n<|im_start|>tool\nThe fridge is open.<|im_end|>\n" +
                                       "<|im_start|>assistant\n"));
    }

    [Test]
    public async Task A_streamed_chat_reply_is_server_sent_events_that_add_up_to_the_reply()
    {
        var request = new { model = "tiny", messages = new[] { new { role = "user", content = "open the fridge" } }, max_tokens = 10, seed = 3, temperature = 0.8 };
        var whole = (await PostAsync("/v1/chat/completions", request))["choices"]![0]!;
        using var response = await _http.PostAsJsonAsync("/v1/chat/completions", new
        {
            request.model, request.messages, request.max_tokens, request.seed, request.temperature, stream = true, stream_options = new { include_usage = true },
        });
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/event-stream"));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(events, Has.All.StartWith("data: "));
        Assert.That(events[^1], Is.EqualTo("data: [DONE]"));
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.That(chunks.Select(c => c["object"]!.GetValue<string>()), Is.All.EqualTo("chat.completion.chunk"));
        var text = string.Concat(chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => c!["delta"]!["content"]?.GetValue<string>()));
        Assert.That(text, Is.EqualTo(whole["message"]!["content"]!.GetValue<string>()));
        Assert.That(chunks.SelectMany(c => c["choices"]!.AsArray()).Last()!["finish_reason"]!.GetValue<string>(), Is.EqualTo(whole["finish_reason"]!.GetValue<string>()));
        Assert.That(chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>(), Is.GreaterThan(0), "the usage chunk comes last");
    }

    [Test]
    public async Task Sampled_tokens_get_the_models_own_log_probs_as_vllm_reports_them()
    {
        var (model, tokenizer) = PolicyCheckpoints.Load(_base, new BackendOptions { Device = "cpu" });
        using (model)
        {
            var prompt = tokenizer.Encode(tokenizer.ApplyChatTemplate("take the apple"));
            var answer = await PostAsync("/v1/completions", new
            {
                model = "tiny", prompt, max_tokens = 8, temperature = 0.5, top_k = 3, seed = 5, logprobs = 0, return_token_ids = true,
            });
            var choice = answer["choices"]![0]!;
            var generated = choice["token_ids"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
            var served = choice["logprobs"]!["token_logprobs"]!.AsArray().Select(t => t!.GetValue<float>()).ToArray();
            // Temperature 1, no truncation: the log-probs a learner computes, not those of the tempered, truncated sampler.
            var expected = FullForwardLogProbs(model, [.. prompt, .. generated]).Skip(prompt.Length - 1).ToArray();
            Assert.That(served, Is.EqualTo(expected).Within(1e-5));
        }
    }

    [Test]
    public async Task Concurrent_requests_are_batched_and_each_gets_what_it_would_get_alone()
    {
        string[] prompts = ["go to the kitchen", "open the fridge", "take the apple", "you see a mug", "a knife", "the table"];
        var alone = new List<int[]>();
        foreach (var p in prompts) alone.Add(TokenIds(await PostAsync("/v1/completions", Greedy(p))));
        var before = _server.Batches;
        var together = await Task.WhenAll(prompts.Select(async p => TokenIds(await PostAsync("/v1/completions", Greedy(p)))));
        Assert.That(_server.Batches - before, Is.LessThan(prompts.Length), "the requests sent together were generated in fewer batches than requests");
        Assert.That(together, Is.EqualTo(alone));

        static object Greedy(string prompt) => new { model = "tiny", prompt, max_tokens = 8, temperature = 0, return_token_ids = true };
        static int[] TokenIds(JsonNode answer) => [.. answer["choices"]![0]!["token_ids"]!.AsArray().Select(t => t!.GetValue<int>())];
    }

    [Test]
    public async Task Sampling_with_a_seed_repeats_and_n_and_prompt_lists_number_the_choices_as_OpenAI_does()
    {
        var request = new { model = "tiny", prompt = new[] { "open the fridge", "go to the kitchen" }, n = 3, max_tokens = 6, temperature = 1.0, seed = 17,
            return_token_ids = true };
        var first = await PostAsync("/v1/completions", request);
        var second = await PostAsync("/v1/completions", request);
        var choices = first["choices"]!.AsArray();
        Assert.That(choices.Select(c => c!["index"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(0, 6)));
        Assert.That(choices.Select(c => c!["prompt_token_ids"]!.AsArray().Count), Is.EqualTo(new[] { 3, 3, 3, 4, 4, 4 }), "choices 0-2 continue the first prompt");
        Assert.That(second["choices"]!.ToJsonString(), Is.EqualTo(choices.ToJsonString()));
        Assert.That(choices.Select(c => c!["text"]!.GetValue<string>()).Distinct().Count(), Is.GreaterThan(1), "temperature 1 samples different texts");
        var usage = first["usage"]!;
        Assert.That(usage["prompt_tokens"]!.GetValue<int>(), Is.EqualTo(3 + 4), "each prompt counted once");
        Assert.That(usage["completion_tokens"]!.GetValue<int>(), Is.EqualTo(choices.Sum(c => c!["token_ids"]!.AsArray().Count)));
    }

    [Test]
    public async Task Stop_strings_end_the_text_before_them()
    {
        var answer = await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 12, temperature = 1.0, seed = 3,
            guided_choice = new[] { "the fridge" }, stop = "fridge" });
        var choice = answer["choices"]![0]!;
        Assert.That(choice["text"]!.GetValue<string>(), Does.Not.Contain("fridge"));
        Assert.That(choice["text"]!.GetValue<string>().Trim(), Is.EqualTo("the"));
        Assert.That(choice["finish_reason"]!.GetValue<string>(), Is.EqualTo("stop"));

        // vLLM's include_stop_str_in_output keeps it (the openai policy asks for it: its action parser needs "</action>").
        answer = await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 12, temperature = 1.0, seed = 3,
            guided_choice = new[] { "the fridge and" }, stop = "fridge", include_stop_str_in_output = true });
        Assert.That(answer["choices"]![0]!["text"]!.GetValue<string>().Trim(), Is.EqualTo("the fridge"));
    }

    [Test]
    public async Task The_OpenAI_client_lists_the_model_and_chats_with_log_probs()
    {
        var client = new OpenAIClient(new ApiKeyCredential(ApiKey), new OpenAIClientOptions { Endpoint = new Uri(_server.Addresses[0] + "/v1") });
        var models = (await client.GetOpenAIModelClient().GetModelsAsync()).Value;
        Assert.That(models.Select(m => m.Id), Does.Contain("tiny"));

        var chat = client.GetChatClient("tiny");
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 10, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };
        var completion = (await chat.CompleteChatAsync([new UserChatMessage("open the fridge")], options)).Value;

        var (model, tokenizer) = PolicyCheckpoints.Load(_base, new BackendOptions { Device = "cpu" });
        using (model)
        {
            var expected = new TextGenerator(model, tokenizer).Generate([tokenizer.Encode(tokenizer.ApplyChatTemplate("open the fridge"))],
                new SamplingOptions(0, MaxNewTokens: 10) { TopLogProbs = 3 })[0];
            var content = expected.TokenIds.Select((id, i) => (id, i)).Where(t => !tokenizer.EndOfTurnIds.Contains(t.id)).ToList();
            Assert.That(completion.Content[0].Text, Is.EqualTo(tokenizer.Decode(content.Select(t => t.id).ToArray())));
            Assert.That(completion.ContentTokenLogProbabilities, Has.Count.EqualTo(content.Count));
            for (var j = 0; j < content.Count; j++)
            {
                var details = completion.ContentTokenLogProbabilities[j];
                Assert.That(details.LogProbability, Is.EqualTo(expected.LogProbs[content[j].i]).Within(1e-6));
                Assert.That(details.TopLogProbabilities.Select(t => t.Token),
                    Is.EqualTo(expected.TopLogProbs![content[j].i].Select(t => tokenizer.Decode([t.TokenId]))));
            }
            Assert.That(completion.Usage.OutputTokenCount, Is.EqualTo(expected.TokenIds.Length));
            Assert.That(completion.FinishReason, Is.EqualTo(expected.Truncated ? ChatFinishReason.Length : ChatFinishReason.Stop));
        }
    }

    [Test]
    public async Task A_hot_loaded_adapter_serves_what_the_merged_weights_give_and_unloads()
    {
        var (merged, tokenizer) = PolicyCheckpoints.Load(_baseWithAdapter, new BackendOptions { Device = "cpu" });
        using (merged)
        {
            var ids = tokenizer.Encode(tokenizer.ApplyChatTemplate("go to the kitchen"));
            var load = await _http.PostAsJsonAsync("/v1/load_lora_adapter", new { lora_name = "tuned", lora_path = _adapter });
            Assert.That(load.StatusCode, Is.EqualTo(HttpStatusCode.OK), await load.Content.ReadAsStringAsync());
            try
            {
                var models = JsonNode.Parse(await _http.GetStringAsync("/v1/models"))!["data"]!.AsArray();
                Assert.That(models.Single(m => m!["id"]!.GetValue<string>() == "tuned")!["parent"]!.GetValue<string>(), Is.EqualTo("tiny"));

                var tuned = PromptLogProbs(await PostAsync("/v1/completions", new { model = "tuned", prompt = ids, max_tokens = 0, echo = true, logprobs = 0 }));
                var based = PromptLogProbs(await PostAsync("/v1/completions", new { model = "tiny", prompt = ids, max_tokens = 0, echo = true, logprobs = 0 }));
                Assert.That(tuned, Is.EqualTo(FullForwardLogProbs(merged, ids)).Within(1e-5), "adapter = merged weights");
                Assert.That(tuned.Zip(based).Max(p => Math.Abs(p.First - p.Second)), Is.GreaterThan(1e-3), "the adapter changes the outputs");
            }
            finally
            {
                var unload = await _http.PostAsJsonAsync("/v1/unload_lora_adapter", new { lora_name = "tuned" });
                Assert.That(unload.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            }
            var gone = await _http.PostAsJsonAsync("/v1/completions", new { model = "tuned", prompt = "open" });
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(JsonNode.Parse(await gone.Content.ReadAsStringAsync())!["error"]!["code"]!.GetValue<string>(), Is.EqualTo("model_not_found"));
        }
    }

    [Test, NonParallelizable]
    public async Task Weights_reloaded_from_disk_serve_the_new_model_until_reloaded_back()
    {
        var (other, tokenizer) = PolicyCheckpoints.Load(_other, new BackendOptions { Device = "cpu" });
        using (other)
        {
            var ids = tokenizer.Encode("open the fridge and take the apple");
            var reload = await PostAsync("/update_weights_from_disk", new { model_path = _other });
            try
            {
                Assert.That(reload["success"]!.GetValue<bool>(), Is.True);
                var served = PromptLogProbs(await PostAsync("/v1/completions", new { model = "tiny", prompt = ids, max_tokens = 0, echo = true, logprobs = 0 }));
                Assert.That(served, Is.EqualTo(FullForwardLogProbs(other, ids)).Within(1e-5));
            }
            finally
            {
                await PostAsync("/update_weights_from_disk", new { model_path = _base });
            }
        }
    }

    private const string ForcedToolChoice =
        "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tool_choice\": \"required\", " +
        "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}";

    private const string ReservedTemplateArgument =
        "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"chat_template_kwargs\": {\"messages\": []}}";

    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"max_tokens\": \"many\"}", 400, "max_tokens")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"max_tokens\": 100000}", 400, "max_tokens")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": [5, 99999]}", 400, "prompt")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": []}", 400, "prompt")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\"}", 400, "prompt")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"n\": 0}", 400, "n")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"top_p\": 0}", 400, "top_p")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"stream\": true}", 400, "stream")]
    [TestCase("/v1/completions", "{\"model\": \"nope\", \"prompt\": \"open\"}", 404, "model")]
    [TestCase("/v1/completions", "{not json", 400, null)]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": []}", 400, "messages")]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", 400, "messages")]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{\"type\": \"function\"}]}", 400, "tools")]
    [TestCase("/v1/chat/completions", ForcedToolChoice, 400, "tool_choice")]
    [TestCase("/v1/chat/completions", ReservedTemplateArgument, 400, "chat_template_kwargs")]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": null}]}", 400, "messages")]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"top_logprobs\": 2}", 400, "top_logprobs")]
    [TestCase("/v1/load_lora_adapter", "{\"lora_name\": \"x\", \"lora_path\": \"/no/such/folder\"}", 404, "lora_path")]
    [TestCase("/v1/unload_lora_adapter", "{\"lora_name\": \"never-loaded\"}", 404, "lora_name")]
    [TestCase("/update_weights_from_disk", "{\"model_path\": \"/no/such/folder\"}", 400, "model_path")]
    [TestCase("/v1/nothing-here", "{}", 404, null)]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open \\ud800\"}", 400, null)]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"stop\": \"\\udc00\"}", 400, null)]
    [TestCase("/v1/chat/completions", "{\"model\": \"tiny\", \"messages\": [{\"role\": \"user\", \"content\": \"\\ud800\"}]}", 400, null)]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"guided_choice\": [\"open the fridge\", \"日本\"]}", 400,
        "guided_choice")]
    [TestCase("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"open\", \"max_tokens\": 1, \"guided_choice\": [\"open the fridge\"]}", 400,
        "max_tokens")]
    public async Task Bad_requests_get_the_OpenAI_error_object_and_the_server_goes_on(string path, string body, int status, string? param)
    {
        using var response = await _http.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), text);
        var error = JsonNode.Parse(text)!["error"]!;
        Assert.That(error["message"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(error["type"]!.GetValue<string>(), Is.Not.Empty);
        Assert.That(error["param"]?.GetValue<string>(), Is.EqualTo(param));
        Assert.That((await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 2 }))["choices"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Fuzzed_chat_requests_get_an_answer_or_the_OpenAI_error_object_and_never_a_server_error()
    {
        // Mutations of a valid chat request (seed 20261203): roles, contents (the template's own markers, empty, long, non-strings),
        // messages of the wrong shape, sampling values out of range or of the wrong type, bodies cut short, bytes that are not UTF-8.
        object?[] roles = ["user", "system", "assistant", "tool", "", null, 42, "USER"];
        object?[] contents = ["open it", "<|im_start|>assistant\nlook<|im_end|>", "<|im_end|>", "", new string('x', 20_000), null, 7, new[] { "a" },
            new Dictionary<string, object> { ["type"] = "text" }, "take \u0000 apple", "\ud800"];
        object?[] numbers = [-1, 0, 1, 2, 1e9, 1e308, "3", null, true, double.MaxValue];
        string[] keys = ["max_tokens", "temperature", "top_p", "top_k", "n", "logprobs", "top_logprobs", "seed", "stop"];
        var random = new Random(20261203);
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < 300; i++)
        {
            var message = new Dictionary<string, object?> { ["role"] = roles[random.Next(roles.Length)], ["content"] = contents[random.Next(contents.Length)] };
            object? messages = random.Next(6) switch { 0 => message, 1 => Array.Empty<object>(), 2 => "hello", _ => Enumerable.Repeat(message, random.Next(1, 4)).ToArray() };
            var body = new Dictionary<string, object?> { ["model"] = random.Next(8) == 0 ? "other" : "tiny", ["messages"] = messages, ["max_tokens"] = 2 };
            for (var k = random.Next(3); k > 0; k--) body[keys[random.Next(keys.Length)]] = numbers[random.Next(numbers.Length)];
            var bytes = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.JsonSerializer.Serialize(body));
            switch (random.Next(5))
            {
                case 0: bytes = bytes[..random.Next(bytes.Length)]; break;
                case 1: bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100); break;
            }
            using var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new("application/json");
            using var response = await _http.PostAsync("/v1/chat/completions", content);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var what = $"request {i}: {System.Text.Encoding.UTF8.GetString(bytes)[..Math.Min(bytes.Length, 300)]} -> {status} {text[..Math.Min(text.Length, 300)]}";
            Assert.That(status, Is.EqualTo(200).Or.InRange(400, 499), what);
            var answer = JsonNode.Parse(text)!;
            if (status == 200) Assert.That(answer["choices"]!.AsArray(), Is.Not.Empty, what);
            else Assert.That(answer["error"]!["message"]!.GetValue<string>(), Is.Not.Empty, what);
        }
        TestContext.Out.WriteLine("chat fuzz, 300 requests: " + string.Join(", ", statuses.Select(p => $"{p.Key}×{p.Value}")));
        Assert.That(statuses.Keys, Has.Some.EqualTo(200).And.Some.InRange(400, 499), "both answers and refusals");
        Assert.That((await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 2 }))["choices"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_prompt_longer_than_the_context_is_refused_naming_both_lengths()
    {
        using var response = await _http.PostAsJsonAsync("/v1/completions", new { model = "tiny", prompt = Enumerable.Repeat(5, 300).ToArray() });
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(error["message"]!.GetValue<string>(), Does.Contain("maximum context length is 256 tokens, and the prompt has 300"));
        Assert.That(error["param"]!.GetValue<string>(), Is.EqualTo("prompt"));
    }

    [Test]
    public async Task Headers_too_large_get_431_with_the_error_object_and_models_name_no_server_path()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.Add("X-Padding", new string('x', 40 * 1024));
        using var response = await _http.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(431));
        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>(), Does.Contain("32 KiB"));

        var models = JsonNode.Parse(await _http.GetStringAsync("/v1/models"))!["data"]!.AsArray();
        Assert.That(models.Select(m => m!["root"]!.GetValue<string>()), Has.None.Contain(_root).And.None.StartWith("/"));
    }

    [Test, NonParallelizable]
    public async Task A_request_its_client_gave_up_stops_generating_and_the_next_is_served()
    {
        var rows = _server.Rows;
        // The weights are held (as by a long generation) while the client waits, then gives up: its batch must not run once they are free.
        await _server.WeightsGate.WaitAsync();
        try
        {
            using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            Assert.CatchAsync<OperationCanceledException>(() => _http.PostAsJsonAsync("/v1/completions",
                new { model = "tiny", prompt = "open the fridge", n = 256, max_tokens = 200, temperature = 1.0 }, giveUp.Token));
            await Task.Delay(200); // the server sees the connection close
        }
        finally
        {
            _server.WeightsGate.Release();
        }
        var next = await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 4 });
        Assert.That(next["choices"]!.AsArray(), Has.Count.EqualTo(1));
        Assert.That(_server.Rows - rows, Is.EqualTo(1), "the abandoned 256 rows were never generated; only the next request's row was");
    }

    [Test]
    public async Task Adapter_and_weight_files_that_cannot_be_used_get_400_naming_the_field()
    {
        string Copy(string from, string name)
        {
            var to = Path.Combine(_root, name);
            Directory.CreateDirectory(to);
            foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)), overwrite: true);
            return to;
        }
        void Edit(string file, Action<JsonObject> change)
        {
            var json = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            change(json);
            File.WriteAllText(file, json.ToJsonString());
        }
        var hugeRank = Copy(_adapter, "huge-rank");
        Edit(Path.Combine(hugeRank, LoraAdapters.ConfigFile), c => c["r"] = int.MaxValue);
        var fractionalRank = Copy(_adapter, "fractional-rank");
        Edit(Path.Combine(fractionalRank, LoraAdapters.ConfigFile), c => c["r"] = 2.5);
        var duplicated = Copy(_adapter, "duplicated");
        File.WriteAllText(Path.Combine(duplicated, LoraAdapters.ConfigFile), File.ReadAllText(Path.Combine(duplicated, LoraAdapters.ConfigFile))
            .Replace("{", "{\"r\": 4, ", StringComparison.Ordinal));
        var fifo = Copy(_adapter, "fifo");
        File.Delete(Path.Combine(fifo, LoraAdapters.WeightsFile));
        Assert.That(System.Diagnostics.Process.Start("mkfifo", Path.Combine(fifo, LoraAdapters.WeightsFile))!.WaitForExit(10_000), Is.True);
        var fractionalSize = Copy(_base, "fractional-size");
        Edit(Path.Combine(fractionalSize, "config.json"), c => c["hidden_size"] = 31.5);
        var stringSize = Copy(_base, "string-size");
        Edit(Path.Combine(stringSize, "config.json"), c => c["num_hidden_layers"] = "two");

        (string Path, object Body, string Param, string Says)[] cases =
        [
            ("/v1/load_lora_adapter", new { lora_name = "a", lora_path = hugeRank }, "lora_path", "larger than the"),
            ("/v1/load_lora_adapter", new { lora_name = "b", lora_path = fractionalRank }, "lora_path", "r is 2.5, which is not a whole number"),
            ("/v1/load_lora_adapter", new { lora_name = "c", lora_path = duplicated }, "lora_path", "Duplicate property 'r'"),
            ("/v1/load_lora_adapter", new { lora_name = "d", lora_path = fifo }, "lora_path", "not a regular file"),
            ("/update_weights_from_disk", new { model_path = fractionalSize }, "model_path", "hidden_size is 31.5"),
            ("/update_weights_from_disk", new { model_path = stringSize }, "model_path", "num_hidden_layers is \"two\""),
        ];
        foreach (var (path, body, param, says) in cases)
        {
            using var response = await _http.PostAsJsonAsync(path, body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(400), $"{path} {body}: {text}");
            var error = JsonNode.Parse(text)!["error"]!;
            Assert.That(error["param"]!.GetValue<string>(), Is.EqualTo(param), text);
            Assert.That(error["message"]!.GetValue<string>(), Does.Contain(says), text);
        }
        Assert.That((await PostAsync("/v1/completions", new { model = "tiny", prompt = "open", max_tokens = 2 }))["choices"]!.AsArray(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Requests_without_the_key_are_refused_and_the_key_also_goes_as_X_Api_Key()
    {
        using var anonymous = new HttpClient { BaseAddress = _http.BaseAddress };
        var refused = await anonymous.GetAsync("/v1/models");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>(), Is.EqualTo("authentication_error"));
        anonymous.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        Assert.That((await anonymous.GetAsync("/v1/models")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private async Task<JsonNode> PostAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!;
    }

    private static float[] PromptLogProbs(JsonNode answer) =>
        [.. answer["choices"]![0]!["logprobs"]!["token_logprobs"]!.AsArray().Skip(1).Select(v => v!.GetValue<float>())];

    /// <summary>log p(token i | tokens before it) for i ≥ 1, from the whole [T, V] logits at once: not the server's chunked scorer.</summary>
    private static float[] FullForwardLogProbs(Qwen2ForCausalLM model, int[] ids)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.eval();
        var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        var logProbs = model.Forward(input, ones_like(input)).squeeze(0).log_softmax(-1);
        return [.. Enumerable.Range(1, ids.Length - 1).Select(i => logProbs[i - 1, ids[i]].item<float>())];
    }
}
