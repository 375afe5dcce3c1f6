using System.CommandLine;
using GiGpoNet.Backend;
using GiGpoNet.Serving;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo serve-policy</c>: serve a checkpoint over the OpenAI-compatible API (completions, chat, models, LoRA hot-loading).</summary>
internal static class ServePolicyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var defaults = new PolicyServerOptions();
        var checkpoint = new Option<string>("--checkpoint", "-c")
        {
            Description = "A run's checkpoints/final folder (its adapter/ merged) or a Hugging Face model folder.", Required = true,
        };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => defaults.Urls };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "Require this key (Authorization: Bearer, or X-Api-Key) on every request (default: the GIGPO_API_KEY environment variable, else none).",
        };
        var maxRequestBytes = new Option<long>("--max-request-bytes") { Description = "Largest request body accepted.", DefaultValueFactory = _ => defaults.MaxRequestBytes };
        var servedName = new Option<string?>("--served-model-name") { Description = "The model's name in /v1/models and requests (default: the folder's name)." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens one completion may generate.", DefaultValueFactory = _ => defaults.MaxTokens };
        var maxBatch = new Option<int>("--max-batch-sequences")
        {
            Description = "Most sequences generated together in one batch.", DefaultValueFactory = _ => defaults.MaxBatchSequences,
        };
        var window = new Option<int>("--batch-window-ms")
        {
            Description = "How long a waiting request waits for others to join its batch.", DefaultValueFactory = _ => defaults.BatchWindowMilliseconds,
        };
        var maxRequestSequences = new Option<int>("--max-request-sequences")
        {
            Description = "Most sequences one request may ask for (prompts × n).", DefaultValueFactory = _ => defaults.MaxRequestSequences,
        };
        var loadTimeout = new Option<int>("--weight-load-timeout-seconds")
        {
            Description = "How long loading an adapter or new weights may take before it is answered 504 (generation goes on meanwhile).",
            DefaultValueFactory = _ => defaults.WeightLoadTimeoutSeconds,
        };
        var command = new Command("serve-policy", "Serve a policy over the OpenAI-compatible API vLLM and SGLang speak (/v1/models, /v1/completions, " +
                                                  "/v1/chat/completions, /v1/load_lora_adapter, /v1/unload_lora_adapter, /update_weights_from_disk) until " +
                                                  "stopped with Ctrl+C. --Backend:Device=cuda serves on a GPU.")
        {
            checkpoint, urls, apiKey, maxRequestBytes, servedName, maxTokens, maxBatch, window, maxRequestSequences, loadTimeout,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            await using var services = CliServices.BuildValidated(parse);
            ListenUrls.Validate(parse.GetValue(urls)!);
            var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("GIGPO_API_KEY");
            var options = new PolicyServerOptions
            {
                Urls = parse.GetValue(urls)!, ApiKey = key, MaxRequestBytes = parse.GetValue(maxRequestBytes), ServedModelName = parse.GetValue(servedName),
                MaxTokens = parse.GetValue(maxTokens), MaxBatchSequences = parse.GetValue(maxBatch), BatchWindowMilliseconds = parse.GetValue(window),
                MaxRequestSequences = parse.GetValue(maxRequestSequences), WeightLoadTimeoutSeconds = parse.GetValue(loadTimeout),
            };
            await using var server = PolicyServer.Load(parse.GetValue(checkpoint)!, options, services.GetRequiredService<IOptions<BackendOptions>>().Value,
                services.GetRequiredService<ILogger<PolicyServer>>());
            await server.StartAsync(cancellationToken);
            await output.WriteLineAsync($"Serving {server.ModelName} on {string.Join(", ", server.Addresses)} (OpenAI-compatible, API key " +
                                        $"{(string.IsNullOrEmpty(key) ? "off" : "required")}). Ctrl+C stops.");
            return await ListenUrls.ServeUntilStoppedAsync(output, cancellationToken);
        }));
        return command;
    }
}
