using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Hosting.Tests.RealModels;

/// <summary>
/// A pretrained model's whole life through the CLI, each verb on the run's own output: train with LoRA from a Hugging Face folder
/// (Qwen3's real tokenizer and template), then eval, play, resume, merge, a second stage from the final checkpoint, serve-policy's chat
/// with the model's template, and training against that server with full and LoRA weight syncs.
/// </summary>
[Category("Slow")]
public sealed class PretrainedModelLifecycleTests
{
    private static string _root = null!;
    private static string Pretrained => Path.Combine(_root, "pretrained");
    private static string Run => Path.Combine(_root, "run");
    private static string Final => Path.Combine(Run, "checkpoints", "final");

    private static string[] Settings(string output, int iterations, params string[] more) =>
    [
        "train", "--Training:Environment=sokoban", $"--Training:Iterations={iterations}", "--Training:Groups=2", "--Training:GroupSize=2",
        "--Training:EvaluationTasks=2", "--Training:EvaluationInterval=0", "--Training:CheckpointInterval=1", $"--Training:OutputDirectory={output}",
        "--Rollout:MaxSteps=2", "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false", "--Policy:MaxPromptTokens=1024",
        "--Update:MiniBatchSize=4", "--Update:MicroBatchSize=4", "--Update:LearningRate=0.001", "--Backend:Threads=2", .. more,
    ];

    private static readonly string[] Lora = ["--Policy:Lora:Rank=4", "--Policy:Lora:Alpha=8"];

    private static (int Code, string Stdout, string Stderr) Gigpo(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = GiGpoNet.Cli.GigpoCommandLine.Invoke(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [OneTimeSetUp]
    public void TrainFromAHuggingFaceFolder()
    {
        _root = Path.Combine(Path.GetTempPath(), "gigpo-pretrained-" + Guid.NewGuid().ToString("N"));
        PretrainedFolder.Write(Pretrained, seed: 3);
        var (code, stdout, stderr) = Gigpo([.. Settings(Run, 2, [$"--Policy:Path={Pretrained}", .. Lora]), "--Training:KeepCheckpoints=2"]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
    }

    [OneTimeTearDown]
    public void DeleteFolder()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void The_run_writes_complete_folders_and_no_frozen_copy_per_checkpoint()
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(Run, "summary.json")))!.AsObject();
        Assert.That(File.ReadAllText(Path.Combine(Run, "metrics.jsonl")), Does.Not.Contain("\"event\":\"warm_start\""),
            "a pretrained policy is not warm-started unless asked");
        Assert.That(summary["device"]!.GetValue<string>(), Is.EqualTo("cpu"));
        Assert.That(summary["dtype"]!.GetValue<string>(), Is.EqualTo("float32"));
        Assert.That(summary["architecture"]!.GetValue<string>(), Is.EqualTo("qwen3"));
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json", "config.json", "model.safetensors" })
            Assert.That(File.Exists(Path.Combine(Final, file)), Is.True, $"final holds {file}");
        Assert.That(File.Exists(Path.Combine(Final, "adapter", "adapter_model.safetensors")), Is.True);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(Final, "config.json")))!.AsObject();
        Assert.That(config["architectures"]![0]!.GetValue<string>(), Is.EqualTo("Qwen3ForCausalLM"));
        Assert.That(config["head_dim"]!.GetValue<int>(), Is.EqualTo(8));
        Assert.That(config["max_position_embeddings"]!.GetValue<int>(), Is.EqualTo(40960), "the input's fields are kept");
        Assert.That(config["torch_dtype"]!.GetValue<string>(), Is.EqualTo("float32"), "saved in the run's dtype");
        Assert.That(File.ReadAllText(Path.Combine(Final, "generation_config.json")), Does.Contain("151645"), "the input's generation config");

        var checkpoints = Directory.GetDirectories(Path.Combine(Run, "checkpoints"), "iter-*").Order().ToList();
        Assert.That(checkpoints.Select(Path.GetFileName), Is.EqualTo(new[] { "iter-000001", "iter-000002" }), "Training:KeepCheckpoints=2 pruned iter-000000");
        foreach (var checkpoint in checkpoints)
        {
            var policy = Path.Combine(checkpoint, "policy");
            Assert.That(File.Exists(Path.Combine(policy, "tokenizer.json")) && File.Exists(Path.Combine(policy, "adapter", "adapter_model.safetensors")), Is.True);
            Assert.That(Directory.GetFiles(policy, "*.safetensors"), Is.Empty, "a LoRA checkpoint holds its adapter, not the frozen base again");
            Assert.That(Directory.Exists(Path.Combine(checkpoint, "reference")), Is.False, "the reference is the base with the adapter off");
        }
        Assert.That(File.Exists(Path.Combine(Run, "checkpoints", "base", "model.safetensors")), Is.True, "the base is written once");
    }

    [Test]
    public void Eval_and_play_run_on_the_final_checkpoint_and_on_an_iteration_checkpoint()
    {
        foreach (var checkpoint in new[] { Final, Path.Combine(Run, "checkpoints", "iter-000002") })
        {
            var (code, stdout, stderr) = Gigpo("eval", "--checkpoint", checkpoint, "--environment", "sokoban", "--tasks", "2", "--Rollout:MaxSteps=2",
                "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false", "--Policy:MaxPromptTokens=1024");
            Assert.That(code, Is.EqualTo(0), stderr + stdout);
            Assert.That(stdout, Does.Contain("success_rate"));
        }
        var (playCode, playOut, playErr) = Gigpo("play", "--checkpoint", Final, "--environment", "sokoban", "--seed", "1", "--Rollout:MaxSteps=2",
            "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false", "--Policy:MaxPromptTokens=1024");
        Assert.That(playCode, Is.EqualTo(0), playErr + playOut);
        Assert.That(playOut, Does.Contain("model:"));
    }

    [Test]
    public void The_same_command_with_more_iterations_resumes_from_the_last_checkpoint()
    {
        var copy = Path.Combine(_root, "resumed");
        CopyFolder(Run, copy);
        var (code, stdout, stderr) = Gigpo([.. Settings(copy, 3, [$"--Policy:Path={Pretrained}", .. Lora])]);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        var iterations = File.ReadAllLines(Path.Combine(copy, "metrics.jsonl")).Count(l => l.Contains("\"event\":\"iteration\"", StringComparison.Ordinal));
        Assert.That(iterations, Is.EqualTo(3), "two iterations kept, one more trained");
    }

    [Test]
    public void Merge_writes_a_plain_folder_that_loads_and_a_second_stage_trains_from_the_final_checkpoint()
    {
        var merged = Path.Combine(_root, "merged");
        var (code, stdout, stderr) = Gigpo("merge", "--checkpoint", Final, "--output", merged);
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(Directory.Exists(Path.Combine(merged, "adapter")), Is.False);
        foreach (var file in new[] { "tokenizer.json", "tokenizer_config.json", "generation_config.json", "config.json", "model.safetensors" })
            Assert.That(File.Exists(Path.Combine(merged, file)), Is.True, $"merged holds {file}");
        (code, stdout, stderr) = Gigpo("eval", "--checkpoint", merged, "--environment", "sokoban", "--tasks", "1", "--Rollout:MaxSteps=1",
            "--Rollout:MaxNewTokens=6", "--Rollout:RequireThinkTags=false", "--Policy:MaxPromptTokens=1024");
        Assert.That(code, Is.EqualTo(0), stderr + stdout);

        (code, stdout, stderr) = Gigpo(Settings(Path.Combine(_root, "second-stage"), 1, $"--Policy:Path={Final}"));
        Assert.That(code, Is.EqualTo(0), stderr + stdout);
        Assert.That(File.Exists(Path.Combine(_root, "second-stage", "checkpoints", "final", "tokenizer.json")), Is.True);
    }

    [Test]
    public async Task Serve_policy_answers_a_chat_with_the_models_template_and_training_against_it_syncs_full_and_lora_weights()
    {
        await using var server = await CliServerProcess.StartPolicyServerAsync(Final);
        using var http = new HttpClient();
        var messages = new[] { new { role = "user", content = "What is 2+2?" } };
        var answer = await http.PostAsJsonAsync(server.BaseAddress + "/chat/completions", new { model = "final", messages, max_tokens = 4, return_token_ids = true });
        var body = await answer.Content.ReadAsStringAsync();
        Assert.That((int)answer.StatusCode, Is.EqualTo(200), body);
        var promptIds = JsonNode.Parse(body)!["prompt_token_ids"]!.AsArray().Select(n => n!.GetValue<int>()).ToArray();
        var tokenizer = HuggingFaceTokenizer.Load(Final);
        Assert.That(promptIds, Is.EqualTo(tokenizer.EncodeChat(ChatRequest.User("What is 2+2?"))), "the prompt is Qwen3's template");
        Assert.That(tokenizer.Decode(promptIds), Is.EqualTo("<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n"));

        foreach (var (name, extra) in new[] { ("full", Array.Empty<string>()), ("lora", Lora) })
        {
            var output = Path.Combine(_root, "remote-" + name);
            var (code, stdout, stderr) = Gigpo([.. Settings(output, 2, [$"--Policy:Path={Final}", .. extra]), "--Training:Policy=openai",
                $"--Policies:openai:BaseAddress={server.BaseAddress}", "--Policies:openai:Model=final", "--Update:RolloutIsThreshold=2"]);
            Assert.That(code, Is.EqualTo(0), $"{name}: {stderr}\n{stdout}\n{server.Log}");
            foreach (var line in File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Where(l => l.Contains("\"event\":\"iteration\"", StringComparison.Ordinal)))
            {
                var iteration = JsonDocument.Parse(line).RootElement;
                Assert.That(iteration.GetProperty("time_weight_sync_s").GetDouble(), Is.GreaterThan(0), $"{name}: the weights went to the server");
                Assert.That(Math.Abs(iteration.GetProperty("mismatch/mismatch_kl").GetDouble()), Is.LessThan(1e-3), $"{name}: the server samples with the learner's weights");
            }
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(directory.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories)) File.Copy(file, file.Replace(from, to));
    }
}
