using System.CommandLine;
using System.Text.Json;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo tokenize</c>: print the token ids of a text, optionally wrapped in the chat template, to debug prompts.</summary>
internal static class TokenizeCommand
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create(TextWriter output, TextWriter error)
    {
        var tokenizerPath = new Option<string>("--tokenizer", "-t") { Description = "A tokenizer.json file or a model folder that has one.", Required = true };
        var chat = new Option<bool>("--chat") { Description = "Wrap the text as one user message in the model's chat template, with the generation prompt." };
        var text = new Option<string?>("--text") { Description = "The text to tokenize." };
        var textFile = new Option<string?>("--text-file") { Description = "A UTF-8 file holding the text to tokenize, or - for standard input (for texts too long for a command " +
            "line)." };
        var command = new Command("tokenize", "Print the token ids of a text as JSON: {\"text\", \"ids\", \"tokens\"}.") { tokenizerPath, chat, text, textFile };
        command.SetAction(parse => CliErrors.Run(error, () =>
        {
            var path = parse.GetValue(tokenizerPath)!;
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new GiGpoNetConfigurationException($"--tokenizer '{path}' does not exist; give a tokenizer.json or a model folder.");
            var input = ReadText(parse.GetValue(text), parse.GetValue(textFile));
            HuggingFaceTokenizer tokenizer;
            try
            {
                tokenizer = HuggingFaceTokenizer.Load(path);
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or ChatTemplateException)
            {
                throw new GiGpoNetConfigurationException($"--tokenizer '{path}': {e.Message} Give a Hugging Face tokenizer.json (byte-level BPE) or a model folder that has one.");
            }
            RenderedPrompt prompt;
            try
            {
                prompt = parse.GetValue(chat) ? tokenizer.ChatTemplate.Render(ChatRequest.User(input)) : RenderedPrompt.Template(input);
            }
            catch (ChatTemplateException e)
            {
                throw new GiGpoNetConfigurationException($"--tokenizer '{path}': {e.Message}");
            }
            var ids = tokenizer.Encode(prompt);
            output.WriteLine(JsonSerializer.Serialize(new { text = prompt.Text, ids, tokens = ids.Select(id => tokenizer.Decode([id])) }, Readable));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The text from exactly one of <c>--text</c> and <c>--text-file</c> (a path, or - for standard input), read as strict UTF-8.</summary>
    private static string ReadText(string? text, string? file)
    {
        if ((text is null) == (file is null))
            throw new GiGpoNetConfigurationException("Give the text with exactly one of --text \"...\" and --text-file <path> (- reads standard input).");
        if (text is not null) return text;
        var strict = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        try
        {
            if (file == "-")
            {
                using var stdin = new StreamReader(Console.OpenStandardInput(), strict);
                return stdin.ReadToEnd();
            }
            if (!File.Exists(file)) throw new GiGpoNetConfigurationException($"--text-file '{file}' does not exist.");
            return File.ReadAllText(file!, strict);
        }
        catch (System.Text.DecoderFallbackException)
        {
            throw new GiGpoNetConfigurationException($"--text-file '{file}' is not valid UTF-8; save it as UTF-8.");
        }
    }
}
