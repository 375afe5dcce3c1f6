using System.CommandLine;
using GiGpoNet.Advantages;
using GiGpoNet.Backend;
using GiGpoNet.Backend.Training;
using GiGpoNet.Cli.Reference;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Remote.Client;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Policies.OpenAI;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo settings</c>: every configuration key, its type, default and meaning, as Markdown (<c>docs/configuration.md</c>).</summary>
internal static class SettingsCommand
{
    /// <summary>The sections every run reads, whatever parts it registers.</summary>
    private static readonly SettingsReference.Section[] Core =
    [
        new(TrainingOptions.SectionName, typeof(TrainingOptions), "the run: which algorithm, environment, rollout source and policy, how many groups and iterations, " +
                                                                  "evaluation, checkpoints and where it writes"),
        new(PolicyModelOptions.SectionName, typeof(PolicyModelOptions), "the policy model: a small one trained from scratch, or a Hugging Face folder (`Path`), " +
                                                                        "with LoRA under `Policy:Lora`"),
        new(WarmStartOptions.SectionName, typeof(WarmStartOptions), "behaviour cloning on the environment's expert before reinforcement learning"),
        new(RolloutOptions.SectionName, typeof(RolloutOptions), "the agent loop: prompts, answer format, decoding and the step limit"),
        new(UpdateOptions.SectionName, typeof(UpdateOptions), "the PPO-family update: learning rate, batches, clipping, KL and entropy terms, the critic"),
        new(BackendOptions.SectionName, typeof(BackendOptions), "where and how tensors are computed"),
        new(OpenAiPolicyOptions.SectionName, typeof(OpenAiPolicyOptions), "rollouts on an OpenAI-compatible inference server (`Training:Policy=openai`)"),
        new("RemoteEnvironments:<name>", typeof(RemoteEnvironmentOptions), "an environment served over HTTP (`gigpo serve-env`), registered under `<name>`"),
    ];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var command = new Command("settings", "Print every configuration key (type, default, meaning) as Markdown; --Plugins:0=My.dll adds a plugin's sections.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(parse => CliErrors.Run(error, () =>
        {
            var configuration = GiGpoNetConfiguration.Create(CliErrors.ConfigurationOverrides(parse), settingsFile: null, readWorkingDirectorySettings: false);
            var services = new ServiceCollection();
            services.AddGiGpoNet(configuration).AddBuiltIns().AddLearningCurves().AddPlugins();
            using var provider = services.BuildServiceProvider();
            var components = SettingsReference.Components(provider.GetRequiredService<AdvantageEstimatorRegistry>(),
                provider.GetRequiredService<EnvironmentRegistry>());
            // Sections a plugin declared (AddConfigurationSection) after the built-in ones.
            var declared = provider.GetServices<ConfigurationSectionDeclaration>()
                .Where(d => d.OptionsType is not null && !Core.Any(c => string.Equals(c.Path, d.Name, StringComparison.OrdinalIgnoreCase)))
                .Select(d => new SettingsReference.Section(d.Name, d.OptionsType!, $"declared by {d.OptionsType!.Assembly.GetName().Name} ({d.OptionsType.Name})"));
            output.Write(SettingsReference.Markdown([.. Core, .. declared, .. components]));
            return ExitCodes.Success;
        }));
        return command;
    }
}
