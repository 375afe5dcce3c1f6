using System.CommandLine;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Remote.Server;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo serve-env</c>: serve registered environments over the remote-environment protocol.</summary>
internal static class ServeEnvCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var environments = new Option<string[]>("--environment", "-e") { Description = "An environment to serve (repeatable). Default: every registered one." };
        var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:5005" };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this X-Api-Key header on every request (default: the GIGPO_API_KEY environment variable, else " +
            "none)." };
        var maxRequestBytes = new Option<long>("--max-request-bytes") { Description = "Largest request body accepted.", DefaultValueFactory = _ => 1 << 20 };
        var command = new Command("serve-env", "Serve environments over HTTP (JSON protocol, OpenAPI at /openapi.json) until stopped with Ctrl+C. " +
                                                   "Environment faults and rejected requests are logged to standard error (--Logging:LogLevel:Default=Information adds every " +
                                                       "creation).")
        {
            environments, urls, apiKey, maxRequestBytes,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            var configuration = GiGpoNetConfiguration.Create(CliErrors.ConfigurationOverrides(parse));
            var services = new ServiceCollection();
            CliServices.AddConsoleLogging(services, configuration);
            services.AddGiGpoNet(configuration).AddBuiltIns().AddPlugins();
            var registry = EnvironmentRegistry.From(services);
            await using var provider = services.BuildServiceProvider();
            var names = parse.GetValue(environments) is { Length: > 0 } chosen ? chosen.Select(n => registry.Get(n).Name).ToList() : [.. registry.Names];
            var factories = names.Select(n => provider.GetRequiredKeyedService<IEnvironmentFactory>(n)).ToList();

            var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("GIGPO_API_KEY");
            if (parse.GetValue(maxRequestBytes) < 1024) throw new GiGpoNetConfigurationException("--max-request-bytes must be at least 1024.");
            ListenUrls.Validate(parse.GetValue(urls)!);
            await using var server = new RemoteEnvironmentServer(factories, new RemoteEnvironmentServerOptions
            {
                Urls = parse.GetValue(urls)!, ApiKey = key, MaxRequestBytes = parse.GetValue(maxRequestBytes),
            }, provider.GetRequiredService<ILogger<RemoteEnvironmentServer>>());
            await server.StartAsync(cancellationToken);
            await output.WriteLineAsync($"Serving {string.Join(", ", names)} on {string.Join(", ", server.Addresses)} (API key " +
                $"{(string.IsNullOrEmpty(key) ? "off" : "required")}). Ctrl+C stops.");
            return await ListenUrls.ServeUntilStoppedAsync(output, cancellationToken);
        }));
        return command;
    }
}
