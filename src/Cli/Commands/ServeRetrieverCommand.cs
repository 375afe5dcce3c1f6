using System.CommandLine;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Server;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo serve-retriever</c>: serve the built-in corpus's BM25 search over Search-R1's retrieval API.</summary>
internal static class ServeRetrieverCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:8000" };
        var maxTopK = new Option<int>("--max-topk") { Description = "The largest topk accepted.", DefaultValueFactory = _ => 50 };
        var command = new Command("serve-retriever", "Serve BM25 search over the built-in search corpus (Environments:search:CorpusSeed, IndexDirectory) with " +
                                                     "Search-R1's retrieval API (POST /retrieve) until stopped with Ctrl+C; train against it with " +
                                                     "--Environments:search:Retriever=remote --Environments:search:RetrieverUrl=<url>/retrieve.")
        {
            urls, maxTopK,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            // This server is the built-in engine: a remote setting in appsettings.json would make it ask itself.
            var configuration = GiGpoNetConfiguration.Create([.. CliErrors.ConfigurationOverrides(parse), $"--{SearchOptions.SectionName}:Retriever=Builtin"]);
            var services = new ServiceCollection();
            CliServices.AddConsoleLogging(services, configuration);
            services.AddGiGpoNet(configuration).AddBuiltIns().AddPlugins();
            await using var provider = services.BuildServiceProvider();
            await provider.ValidateGiGpoNetConfigurationAsync(cancellationToken);
            if (parse.GetValue(maxTopK) is < 1 or > 1000) throw new GiGpoNetConfigurationException("--max-topk must be in [1, 1000].");
            ListenUrls.Validate(parse.GetValue(urls)!);
            var options = provider.GetRequiredService<SearchOptions>();
            await using var server = new RetrieverServer(provider.GetRequiredService<IRetriever>(),
                new RetrieverServerOptions { Urls = parse.GetValue(urls)!, MaxTopK = parse.GetValue(maxTopK) }, provider.GetRequiredService<ILogger<RetrieverServer>>());
            await server.StartAsync(cancellationToken);
            await output.WriteLineAsync($"Serving BM25 over the search corpus of seed {options.CorpusSeed} on {string.Join(", ", server.Addresses)}/retrieve. Ctrl+C stops.");
            return await ListenUrls.ServeUntilStoppedAsync(output, cancellationToken);
        }));
        return command;
    }
}
