using System.CommandLine;
using GiGpoNet.Advantages;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo advantages</c>: compute advantages for a step-row JSON Lines file, to inspect or cross-check credit assignment.</summary>
internal static class AdvantagesCommand
{
    public static Command Create(TextWriter error)
    {
        var algorithm = new Option<string?>("--algorithm", "-a")
        {
            Description = "Estimator name: gigpo, grpo, rloo, reinforce_plus_plus, reinforce_plus_plus_baseline, ppo. Default: Training:Algorithm (gigpo).",
        };
        var input = new Option<string>("--input", "-i") { Description = "Step rows, JSON Lines: {group, traj, step, anchor, reward, active?, action_valid?, values?}.",
            Required = true };
        var outputPath = new Option<string>("--output", "-o") { Description = "Where to write the rows with their advantages (JSON Lines).", Required = true };
        var parameters = new Option<string[]>("--param", "-p")
        {
            Description = "An estimator setting, by the reference implementation's name or the option name, e.g. gamma=0.95, mode=mean_std_norm. Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        var settings = new Option<string?>("--settings") { Description = "A settings file to read instead of ./appsettings.json." };

        var command = new Command("advantages", "Compute advantages for a file of step rows and write them next to each row.")
        {
            algorithm, input, outputPath, parameters, settings,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => CliErrors.Run(error, () =>
        {
            var configuration = GiGpoNetConfiguration.Create(CliErrors.ConfigurationOverrides(parse), parse.GetValue(settings));
            var services = new ServiceCollection();
            services.AddGiGpoNet(configuration).AddBuiltIns().AddPlugins();
            var registry = AdvantageEstimatorRegistry.From(services);

            var name = parse.GetValue(algorithm) ?? configuration[$"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)}"] ?? "gigpo";
            var registration = registry.Get(name);
            var overrides = new Dictionary<string, string?>(ReferenceParameters.ToConfiguration(registration, parse.GetValue(parameters) ?? []))
            {
                [$"{TrainingOptions.SectionName}:{nameof(TrainingOptions.Algorithm)}"] = registration.Name,
            };
            configuration.AddInMemoryCollection(overrides);

            using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            provider.ValidateGiGpoNetConfiguration();
            var summary = provider.GetRequiredService<AdvantageFileJob>().Run(registration.Name, parse.GetValue(input)!, parse.GetValue(outputPath)!);
            error.WriteLine(summary.ToString());
            return ExitCodes.Success;
        }));
        return command;
    }
}
