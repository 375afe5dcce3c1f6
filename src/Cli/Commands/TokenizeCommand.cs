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
        var text = new Option<string>("--text") { Description = "The text to tokenize.", Required = true };
        var command = new Command("tokenize", "Print the token ids of a text as JSON: {\"text\", \"ids\", \"tokens\"}.") { tokenizerPath, chat, text };
        command.SetAction(parse => CliErrors.Run(error, () =>
        {
            var path = parse.GetValue(tokenizerPath)!;
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new GiGpoNetConfigurationException($"--tokenizer '{path}' does not exist; give a tokenizer.json or a model folder.");
            var tokenizer = HuggingFaceTokenizer.Load(path);
            var input = parse.GetValue(text)!;
            var prompt = parse.GetValue(chat) ? tokenizer.ApplyChatTemplate(input) : input;
            var ids = tokenizer.Encode(prompt);
            output.WriteLine(JsonSerializer.Serialize(new { text = prompt, ids, tokens = ids.Select(id => tokenizer.Decode([id])) }, Readable));
            return ExitCodes.Success;
        }));
        return command;
    }
}
