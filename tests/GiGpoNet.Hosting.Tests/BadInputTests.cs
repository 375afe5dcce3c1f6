using System.Text;

namespace GiGpoNet.Hosting.Tests;

/// <summary>
/// Input a user controls, broken on purpose: every case ends with one clear line and the documented exit code, never a stack trace,
/// a hang or an output file written from bad data.
/// </summary>
public sealed class BadInputTests : CliTestBase
{
    private const string Row = """{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 1}""";
    private const string Other = """{"group": "g", "traj": "b", "step": 0, "anchor": "S", "reward": 0}""";

    private string OutputPath => Path.Combine(Folder, "out.jsonl");

    private (int Code, string Stdout, string Stderr) Advantages(byte[] input, string algorithm = "gigpo")
    {
        var path = Path.Combine(Folder, "steps.jsonl");
        File.WriteAllBytes(path, input);
        return Run("advantages", "--algorithm", algorithm, "--input", path, "--output", OutputPath);
    }

    private static byte[] Lines(params string[] lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");

    private static void AssertInputError((int Code, string Stdout, string Stderr) result, string expected)
    {
        Assert.That(result.Code, Is.EqualTo(1), result.Stderr);
        Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
        Assert.That(result.Stderr, Does.StartWith("Input error: line ").And.Contain(expected));
    }

    [Test]
    public void Rewards_adding_up_past_the_largest_double_are_refused_with_the_line()
    {
        var result = Advantages(Lines("""{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 1e308}""",
            """{"group": "g", "traj": "a", "step": 1, "anchor": "T", "reward": 1e308}""", Other));
        AssertInputError(result, "line 2: the rewards of trajectory 'a' add up past the largest number");
        Assert.That(File.Exists(OutputPath), Is.False);
    }

    [TestCase("gigpo")]
    [TestCase("grpo")]
    public void An_empty_input_is_refused_for_every_algorithm(string algorithm)
    {
        AssertInputError(Advantages([], algorithm), "no step rows");
        AssertInputError(Advantages(Lines("", "  "), algorithm), "no step rows");
    }

    [Test]
    public void An_anchor_that_is_not_valid_UTF_8_is_refused_with_its_line()
    {
        var bad = Encoding.UTF8.GetBytes("""{"group": "g", "traj": "b", "step": 0, "anchor": "S?", "reward": 0}""" + "\n");
        bad[bad.AsSpan().IndexOf((byte)'?')] = 0xFF; // not UTF-8: it used to be read as U+FFFD and merge with any other broken anchor
        var result = Advantages([.. Lines(Row), .. bad]);
        AssertInputError(result, "line 2: the line is not valid UTF-8");
    }

    [Test]
    public void A_duplicate_key_is_refused()
    {
        var result = Advantages(Lines("""{"group": "g", "traj": "a", "step": 0, "anchor": "S", "reward": 1, "reward": 5}""", Other));
        AssertInputError(result, "line 1: not valid JSON");
        Assert.That(result.Stderr, Does.Contain("reward"));
    }

    [Test]
    public void A_line_of_a_hundred_megabytes_is_refused_without_parsing_it()
    {
        var huge = "{\"group\": \"g\", \"traj\": \"a\", \"step\": 0, \"reward\": 0, \"anchor\": \"" + new string('x', 100 << 20) + "\"}";
        AssertInputError(Advantages(Lines(Row, huge)), "line 2: the line is longer than 16,777,216 bytes");
    }

    /// <summary>
    /// A bounded fuzz (seed 7, 300 inputs): valid rows cut short, with a byte flipped, a field swapped for a value of another type,
    /// NaN, Infinity, 1e999, negative and fractional steps. Each run exits 0 (a mutation that stays valid) or 1 with one
    /// "Input error: line N" line.
    /// </summary>
    [Test]
    public void Fuzzed_step_rows_give_one_input_error_line_or_a_valid_result()
    {
        string[] values = ["NaN", "Infinity", "-Infinity", "1e999", "-1", "0.5", "\"x\"", "null", "[]", "{}", "true", "99999999999999999999"];
        var random = new Random(7);
        int ok = 0, refused = 0;
        for (var i = 0; i < 300; i++)
        {
            var line = (random.Next(2) == 0 ? Row : Other).ToCharArray();
            switch (random.Next(3))
            {
                case 0: line = line[..random.Next(line.Length)]; break;
                case 1: line[random.Next(line.Length)] = (char)random.Next(32, 127); break;
                default:
                {
                    var text = new string(line);
                    var colon = text.IndexOf(':', random.Next(text.Length / 2));
                    var end = colon < 0 ? -1 : text.IndexOfAny([',', '}'], colon + 1);
                    if (end > 0) line = (text[..(colon + 1)] + " " + values[random.Next(values.Length)] + text[end..]).ToCharArray();
                    break;
                }
            }
            var result = Advantages(Lines(new string(line), Other));
            if (result.Code == 0) { ok++; continue; }
            refused++;
            Assert.That(result.Code, Is.EqualTo(1), $"{new string(line)}: {result.Stderr}");
            Assert.That(result.Stderr.Trim().Split('\n'), Has.Length.EqualTo(1), new string(line));
            Assert.That(result.Stderr, Does.StartWith("Input error: line "), new string(line));
        }
        TestContext.Out.WriteLine($"advantages fuzz: {ok} valid, {refused} refused with one line");
        Assert.That(refused, Is.GreaterThan(100));
    }

    [Test]
    public void Tokenize_refuses_an_unusable_tokenizer_with_exit_code_2()
    {
        var broken = Path.Combine(Folder, "broken");
        Directory.CreateDirectory(broken);
        File.WriteAllText(Path.Combine(broken, "tokenizer.json"), "{not json");
        var empty = Path.Combine(Folder, "empty");
        Directory.CreateDirectory(empty);
        foreach (var (path, expected) in new[] { (broken, "is not a valid tokenizer.json"), (empty, "No tokenizer.json"), (Path.Combine(Folder, "none"), "does not exist") })
        {
            var (code, _, stderr) = Run("tokenize", "--tokenizer", path, "--text", "hi");
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(stderr, Does.Contain(expected));
        }
    }

    [Test]
    public void Fuzzed_texts_through_the_chat_template_give_token_ids_or_one_line_and_exit_code_2()
    {
        // A word-level tokenizer exported as tokenizer.json; texts of random bytes (seed 20261203) with the template's own markers mixed in.
        var tokenizerFolder = Path.Combine(Folder, "tokenizer");
        GiGpoNet.Backend.Tokenization.WordLevelTokenizer.Build(["go to the fridge", "open it", "take the apple"], maxWords: 50).SaveHuggingFace(tokenizerFolder);
        string[] pieces = ["<|im_start|>", "<|im_end|>", "<think>", "user\n", "\u0000", "é", "🙂", "go to", " "];
        var random = new Random(20261203);
        var file = Path.Combine(Folder, "text.txt");
        int encoded = 0, refused = 0;
        for (var i = 0; i < 200; i++)
        {
            var bytes = new List<byte>();
            for (var n = random.Next(1, 12); n > 0; n--)
                if (random.Next(2) == 0) bytes.AddRange(Encoding.UTF8.GetBytes(pieces[random.Next(pieces.Length)]));
                else bytes.Add((byte)random.Next(256));
            File.WriteAllBytes(file, [.. bytes]);
            var (code, stdout, stderr) = Run("tokenize", "--tokenizer", tokenizerFolder, "--chat", "--text-file", file);
            var valid = System.Text.Unicode.Utf8.IsValid(bytes.ToArray());
            if (code == 0)
            {
                encoded++;
                Assert.That(valid, Is.True, "only valid UTF-8 is encoded");
                Assert.That(stdout, Is.Not.Empty);
                continue;
            }
            refused++;
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(valid, Is.False, $"a valid text was refused: {stderr}");
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
            Assert.That(stderr, Does.Contain("not valid UTF-8"));
        }
        TestContext.Out.WriteLine($"tokenize --chat fuzz: {encoded} encoded, {refused} refused (not UTF-8) with one line");
        Assert.That(encoded, Is.GreaterThan(0));
        Assert.That(refused, Is.GreaterThan(0));
    }

    [Test]
    public void Fuzzed_grid_files_are_read_or_refused_in_one_line_before_any_cell_runs()
    {
        // Mutations (seed 20261204) of a valid four-cell grid: cut short, one character replaced, a value of another type, an unknown field.
        var valid = File.ReadAllText(Scheduling.SchedulerJobTests.TinyGrid(Folder));
        string[] values = ["null", "[]", "{}", "\"\"", "-1", "0", "1e999", "true", "\"x\"", "[1, 1]", "99999999999999999999"];
        var random = new Random(20261204);
        var grid = Path.Combine(Folder, "fuzzed.json");
        int read = 0, refused = 0;
        for (var i = 0; i < 120; i++)
        {
            var text = valid;
            switch (random.Next(4))
            {
                case 0: text = text[..random.Next(text.Length)]; break;
                case 1: text = text.Remove(random.Next(text.Length), 1).Insert(random.Next(text.Length - 1), ((char)random.Next(32, 127)).ToString()); break;
                case 2:
                {
                    var colon = text.IndexOf(':', random.Next(text.Length - 1));
                    var end = colon < 0 ? -1 : text.IndexOfAny([',', '}', ']'], colon + 1);
                    if (end > 0) text = text[..(colon + 1)] + " " + values[random.Next(values.Length)] + text[end..];
                    break;
                }
                default: text = text.Insert(text.IndexOf('{') + 1, $" \"field{random.Next(3)}\": {values[random.Next(values.Length)]},"); break;
            }
            File.WriteAllText(grid, text);
            var (code, _, stderr) = Run("ablate", "--grid", grid, "--output", Path.Combine(Folder, "out"), "--dry-run");
            if (code == 0) { read++; continue; }
            refused++;
            Assert.That(code, Is.EqualTo(2), $"{text}\n{stderr}");
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), text);
            Assert.That(stderr, Does.StartWith("Configuration error: "), text);
        }
        TestContext.Out.WriteLine($"grid fuzz: {read} read, {refused} refused with one line");
        Assert.That(refused, Is.GreaterThan(30));
        Assert.That(Directory.Exists(Path.Combine(Folder, "out")) ? Directory.GetFiles(Path.Combine(Folder, "out"), "metrics.jsonl", SearchOption.AllDirectories) : [],
            Is.Empty, "nothing ran");
    }

    [TestCase("""{ "Training": { "Seed": [7, 8] } }""", "Training:Seed is given as a list or an object (0, 1), but it takes one whole number")]
    [TestCase("""{ "Update": { "LearningRate": { "value": 0.1 } } }""", "Update:LearningRate is given as a list or an object (value), but it takes one number")]
    public void A_list_or_object_where_one_value_belongs_is_refused_naming_the_key(string settings, string expected)
    {
        var file = Path.Combine(Folder, "settings.json");
        File.WriteAllText(file, settings);
        var run = Path.Combine(Folder, "run");
        var (code, _, stderr) = Run("train", "--settings", file, $"--Training:OutputDirectory={run}");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(Directory.Exists(run), Is.False);
    }

    [Test]
    public void Fuzzed_configuration_values_are_taken_or_refused_in_one_line_that_names_the_key()
    {
        string[] keys =
        [
            "Training:Iterations", "Training:Groups", "Training:GroupSize", "Training:EvaluationTasks", "Training:Temperature", "Training:Algorithm",
            "Training:EvaluationInterval", "Training:CheckpointInterval", "Update:LearningRate", "Update:MiniBatchSize", "Update:MicroBatchSize",
            "Update:ClipRatio", "Update:KlLossCoefficient", "Update:Epochs", "Rollout:MaxSteps", "Rollout:MaxNewTokens", "Rollout:HistoryLength",
            "Policy:Layers", "Policy:HiddenSize", "Policy:Heads", "WarmStart:Episodes", "WarmStart:Epochs", "WarmStart:ExplorationRate",
            "Algorithms:gigpo:Gamma", "Algorithms:gigpo:StepAdvantageWeight", "Algorithms:gigpo:Mode", "Backend:Threads", "Backend:Dtype",
            "Environments:household:RoomSize",
        ];
        string[] values = ["abc", "-1", "0", "1e309", "NaN", "", "99999999999999999999", "-0.5", "true", "2.5", "Infinity", "1"];
        var random = new Random(20261205);
        int taken = 0, refused = 0;
        var valid = File.ReadAllText(Scheduling.SchedulerJobTests.TinyGrid(Folder));
        var grid = Path.Combine(Folder, "one-value.json");
        for (var i = 0; i < 120; i++)
        {
            // Checked as a grid cell's base setting is, before any cell runs: the same start-up validation `gigpo train` does.
            var (key, value) = (keys[random.Next(keys.Length)], values[random.Next(values.Length)]);
            File.WriteAllText(grid, valid.Replace("\"base\": {", $"\"base\": {{ {System.Text.Json.JsonSerializer.Serialize(key)}: " +
                $"{System.Text.Json.JsonSerializer.Serialize(value)},", StringComparison.Ordinal));
            var (code, _, stderr) = Run("ablate", "--grid", grid, "--output", Path.Combine(Folder, "out"), "--dry-run");
            if (code == 0) { taken++; continue; }
            refused++;
            Assert.That(code, Is.EqualTo(2), $"{key}={value}: {stderr}");
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), $"{key}={value}");
            Assert.That(stderr, Does.Contain(key.Split(':')[^1]).IgnoreCase, $"{key}={value}: the line names the key");
        }
        TestContext.Out.WriteLine($"configuration fuzz: {taken} taken, {refused} refused with one line naming the key");
        Assert.That(refused, Is.GreaterThan(30));
    }

    [TestCase("--RemoteEnvironments:boxes:BaseAddress=notaurl", "RemoteEnvironments:boxes:BaseAddress = 'notaurl' is not an http(s) address")]
    [TestCase("--RemoteEnvironments:boxes:Retires=2", "RemoteEnvironments:boxes:Retires is not a known setting")]
    [TestCase("--RemoteEnvironments:boxes:Retries=-1", "RemoteEnvironments:boxes:Retries = -1 must be 0 or more")]
    [TestCase("--RemoteEnvironments:boxes:AttemptTimeout=soon", "RemoteEnvironments:boxes:AttemptTimeout = 'soon' is not a valid TimeSpan")]
    public void A_remote_environment_from_configuration_with_a_bad_value_is_refused_before_any_work(string setting, string expected)
    {
        var run = Path.Combine(Folder, "run");
        var (code, _, stderr) = Run([.. TinyTraining.Settings("gigpo", run), setting, "--Training:Environment=boxes"]);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(Directory.Exists(run), Is.False, "no run folder");
    }

    [Test]
    public void Tokenize_takes_exactly_one_of_text_and_text_file()
    {
        var file = Path.Combine(Folder, "text.txt");
        File.WriteAllBytes(file, [0x68, 0xFF, 0x69]);
        var (code, _, stderr) = Run("tokenize", "--tokenizer", Folder, "--text-file", file);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("not valid UTF-8"));
        (code, _, stderr) = Run("tokenize", "--tokenizer", Folder);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("exactly one of --text"));
    }

    [TestCase("notaurl")]
    [TestCase("ftp://127.0.0.1:5005")]
    [TestCase("127.0.0.1:5005")]
    public void Serve_env_refuses_a_listen_address_that_is_not_a_url(string urls)
    {
        var (code, _, stderr) = Run("serve-env", "--urls", urls);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(stderr, Does.Contain("--urls"));
    }

    [TestCase("--Trainng:Algorithm=grpo", "'Trainng' is not a known configuration section", "Did you mean 'Training'?")]
    [TestCase("--Plugin:0=x.dll", "'Plugin' is not a known configuration section", "Did you mean 'Plugins'?")]
    [TestCase("--Algorithms:gipgo:Gamma=0.5", "'Algorithms:gipgo' is not a known estimator's section", "Did you mean 'Algorithms:gigpo'?")]
    [TestCase("--Environments:housegold:RoomSize=Small", "'Environments:housegold'", "Did you mean 'Environments:household'?")]
    public void A_misspelt_section_is_refused_before_any_work(string setting, string problem, string hint)
    {
        var output = Path.Combine(Folder, "run");
        var (code, _, stderr) = Run("train", setting, $"--Training:OutputDirectory={output}");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(problem).And.Contain(hint));
        Assert.That(Directory.Exists(output), Is.False, "no run folder");
    }

    [TestCase("config", "No model config")]
    [TestCase("weights", "has neither model.safetensors")]
    [TestCase("huge", "too large for any file")]
    [TestCase("tokenizer", "No tokenizer.json")]
    public void A_model_folder_that_cannot_load_is_refused_at_start_up(string broken, string expected)
    {
        var model = Path.Combine(Folder, "model");
        Directory.CreateDirectory(model);
        if (broken != "config")
            File.WriteAllText(Path.Combine(model, "config.json"),
                """{"model_type": "qwen2", "vocab_size": 16, "hidden_size": 8, "intermediate_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2}""");
        if (broken is "huge" or "tokenizer")
        {
            var header = Encoding.UTF8.GetBytes(broken == "huge"
                ? """{"w":{"dtype":"F32","shape":[10000000000,10000000000],"data_offsets":[0,4]}}"""
                : """{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
            File.WriteAllBytes(Path.Combine(model, "model.safetensors"), [.. BitConverter.GetBytes((ulong)header.Length), .. header, 0, 0, 0, 0]);
        }
        var output = Path.Combine(Folder, "run");
        var (code, _, stderr) = Run("train", $"--Policy:Path={model}", $"--Training:OutputDirectory={output}");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain("Policy:Path").And.Contain(expected));
        Assert.That(Directory.Exists(output), Is.False, "refused before the run folder exists");
    }
}
