using System.CommandLine;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Devices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo merge</c>: a checkpoint with a LoRA adapter written as a plain Hugging Face model folder.</summary>
internal static class MergeCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var checkpoint = new Option<string>("--checkpoint", "-c") { Description = "A run's checkpoints/final folder (its adapter/ is merged).", Required = true };
        var outputFolder = new Option<string>("--output", "-o") { Description = "A new folder for the merged model.", Required = true };
        var dtype = new Option<string?>("--dtype") { Description = "float32, bfloat16 or float16 for the written weights (default: the checkpoint's torch_dtype)." };
        var command = new Command("merge", "Merge a checkpoint's LoRA adapter into its weights and write a plain Hugging Face model folder (transformers and vLLM " +
                                           "load it without PEFT).")
        {
            checkpoint, outputFolder, dtype,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, _) => CliErrors.RunAsync(error, async () =>
        {
            await using var services = CliServices.BuildValidated(parse);
            var backend = services.GetRequiredService<IOptions<BackendOptions>>().Value;
            var from = parse.GetValue(checkpoint)!;
            var written = parse.GetValue(dtype) is not { } name ? (TorchSharp.torch.ScalarType?)null
                : new ModelDtypeConverter().TryParse(name, out var parsed) ? new BackendOptions { Dtype = parsed }.ResolveDtype()
                : throw new GiGpoNetConfigurationException($"--dtype {name} is not one of float32, bfloat16, float16.");
            var merged = PolicyCheckpoints.Merge(from, parse.GetValue(outputFolder)!, backend, written);
            await output.WriteLineAsync(merged > 0
                ? $"Merged the adapter's {merged} projections into the weights; wrote {Path.GetFullPath(parse.GetValue(outputFolder)!)}."
                : $"'{from}' has no adapter/; its weights were copied unchanged to {Path.GetFullPath(parse.GetValue(outputFolder)!)}.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
