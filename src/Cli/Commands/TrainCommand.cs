using System.CommandLine;
using System.Globalization;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo train</c>: run the training loop on the configuration (built-in defaults, appsettings.json, environment, --Section:Key=value).</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var settings = new Option<string?>("--settings") { Description = "A settings file to read instead of ./appsettings.json (the repository's holds the main job's " +
            "defaults)." };
        var command = new Command("train", "Train a policy: optional warm start on the expert, then RL iterations with the configured algorithm; writes a run folder.")
        {
            settings,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            await using var provider = CliServices.BuildValidated(parse, parse.GetValue(settings));
            var trainer = provider.GetRequiredService<AgentTrainer>();
            var iterations = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<TrainingOptions>>().Value.Iterations;
            await output.WriteLineAsync($"Run folder: {Path.GetFullPath(trainer.OutputDirectory)}");
            if (ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                // A live progress bar above the event lines; redirected output (files, CI, tests) gets the plain lines only.
                await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask("warm start", maxValue: Math.Max(1, iterations));
                        await foreach (var e in trainer.RunAsync(cancellationToken))
                        {
                            AnsiConsole.WriteLine(Describe(e));
                            if (e.Warning is not null) await error.WriteLineAsync($"warning: {e.Warning}");
                            if (e.Kind == TrainingEventKind.Iteration)
                            {
                                task.Value = e.Iteration;
                                task.Description = Markup.Escape($"iteration {e.Iteration}/{iterations}: success {e.Metrics.GetValueOrDefault(MetricNames.SuccessRate):0.00}, " +
                                    $"reward {e.Metrics.GetValueOrDefault(MetricNames.EpisodeRewardMean):0.00}");
                            }
                        }
                        task.Value = task.MaxValue;
                    });
            }
            else
            {
                await foreach (var e in trainer.RunAsync(cancellationToken))
                {
                    await output.WriteLineAsync(Describe(e));
                    if (e.Warning is not null) await error.WriteLineAsync($"warning: {e.Warning}");
                }
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Describe(TrainingEvent e)
    {
        string F(string key, string format = "0.000") =>
            e.Metrics.TryGetValue(key, out var v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
        return e.Kind switch
        {
            TrainingEventKind.WaitingForWarmStart => "waiting for another run to finish training the same warm start (WarmStart:CacheDirectory); this run loads it then",
            TrainingEventKind.WarmStart =>
                $"warm start: {F("demonstration_steps", "0")} expert steps, SFT loss {F("sft_loss_first")} -> {F("sft_loss_last")}, " +
                    $"validation success {F(MetricNames.SuccessRate)} " +
                    $"({F("time_s", "0.0")} s)",
            TrainingEventKind.Iteration => $"iteration {e.Iteration}: success {F(MetricNames.SuccessRate)}, reward {F(MetricNames.EpisodeRewardMean)}, " +
                           $"length {F(MetricNames.EpisodeLengthMean, "0.0")}, " +
                           $"invalid {F(MetricNames.InvalidActionRate)}, step groups {F(MetricNames.StepGroups, "0")}" +
                           (e.Metrics.ContainsKey("step_group_multi_action_share") ? $" ({F("step_group_multi_action_share", "0%")} with 2+ actions)" : "") +
                           $", pg_loss {F("pg_loss")}, kl {F("kl_loss", "0.0000")}; " +
                           $"rollout {F(MetricNames.RolloutSeconds, "0.0")} s, advantage {F(MetricNames.AdvantageSeconds, "0.0000")} s, " +
                           $"update {F(MetricNames.UpdateSeconds, "0.0")} s",
            TrainingEventKind.Evaluation => $"evaluation after iteration {e.Iteration}: validation success {F(MetricNames.SuccessRate)}" +
                            string.Concat(e.Metrics.Where(p => p.Key.StartsWith("success_rate/", StringComparison.Ordinal))
                                .Select(p => $", {p.Key["success_rate/".Length..]} {p.Value.ToString("0.00", CultureInfo.InvariantCulture)}")),
            TrainingEventKind.Checkpoint => e.Metrics.GetValueOrDefault(MetricNames.Saved) > 0 ? $"checkpoint of iteration {e.Iteration} saved"
                : $"checkpoint of iteration {e.Iteration} FAILED (the previous one is kept)",
            _ => $"finished: {(double.IsNaN(e.Metrics.GetValueOrDefault(MetricNames.WarmStartSuccess, double.NaN)) ? "no warm start"
                : $"warm-start success {F(MetricNames.WarmStartSuccess)}")}, final success {F(MetricNames.FinalSuccess)}, {F(MetricNames.EnvironmentSteps, "0")} env steps, " +
                 $"{F(MetricNames.WallSeconds, "0")} s, peak {F(MetricNames.PeakMemoryMegabytes, "0")} MB",
        };
    }
}
