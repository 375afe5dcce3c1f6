using System.CommandLine;
using System.Globalization;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using GiGpoNet.Learning;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Cli.Commands;

/// <summary><c>gigpo eval</c> and <c>gigpo play</c>: run a saved policy on held-out tasks, or on one episode shown turn by turn.</summary>
internal static class CheckpointCommands
{
    private static readonly Option<string?> Checkpoint = new("--checkpoint", "-c") { Description = "A run's checkpoints/final folder, or a Hugging Face model folder." };
    private static readonly Option<string?> PolicyName = new("--policy", "-p")
    {
        Description = "A registered policy (a scripted, expert or remote one, from a plugin) instead of a checkpoint.",
    };
    private static readonly Option<string?> EnvironmentName = new("--environment", "-e")
    {
        Description = "The environment (default: Training:Environment); its own settings file, appsettings.<environment>.json, applies.",
    };
    private static readonly Option<string?> SettingsFile = new("--settings") { Description = "A settings file to read instead of ./appsettings.json." };

    private sealed record Context(ServiceProvider Provider, IEnvironmentFactory Environment, IRolloutSource Source);

    private static Context Build(ParseResult parse)
    {
        // --environment is this command's Training:Environment, so that the per-environment settings read are that environment's.
        IEnumerable<string> overrides = CliErrors.ConfigurationOverrides(parse);
        if (parse.GetValue(EnvironmentName) is { } environment) overrides = [.. overrides, $"--{TrainingOptions.SectionName}:Environment={environment}"];
        var provider = CliServices.BuildValidated(overrides, parse.GetValue(SettingsFile), readWorkingDirectorySettings: true);
        var name = provider.GetRequiredService<IOptions<TrainingOptions>>().Value.Environment;
        var factory = provider.GetRequiredKeyedService<IEnvironmentFactory>(provider.GetRequiredService<EnvironmentRegistry>().Get(name).Name);
        // The rollout loop on the selected environment, as training's evaluation runs it.
        return new Context(provider, factory, provider.GetRequiredKeyedService<IRolloutSource>(RolloutSourceRegistry.Environment));
    }

    /// <summary>The policy to run: a checkpoint, loaded by the learner factory (disposed with the learner), or a registered policy by name.</summary>
    private static (IPolicy Policy, IDisposable? Owner) Policy(Context context, string? checkpoint, string? name)
    {
        if ((checkpoint is null) == (name is null))
            throw new GiGpoNetConfigurationException("Give either --checkpoint (a saved policy) or --policy (a registered policy's name), not both or neither.");
        if (name is not null)
        {
            var registration = context.Provider.GetRequiredService<PolicyRegistry>().Get(name);
            return (context.Provider.GetRequiredKeyedService<IPolicyProvider>(registration.Name).Get(null), null);
        }
        var learner = context.Provider.GetRequiredService<ILearnerFactory>().Create(new LearnerStart(checkpoint, [], 0));
        return (learner.Policy, learner);
    }

    public static Command Eval(TextWriter output, TextWriter error)
    {
        var split = new Option<DatasetSplit>("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => DatasetSplit.Validation };
        var tasks = new Option<int>("--tasks") { Description = "How many tasks (one episode each).", DefaultValueFactory = _ => 64 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 0.4 };
        var command = new Command("eval", "Evaluate a saved policy: success rate overall and per task type on a split.")
        {
            Checkpoint, PolicyName, EnvironmentName, SettingsFile, split, tasks, temperature,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            var context = Build(parse);
            await using var _ = context.Provider;
            if (parse.GetValue(tasks) < 1) throw new GiGpoNetConfigurationException("--tasks must be at least 1.");
            var (policy, owner) = Policy(context, parse.GetValue(Checkpoint), parse.GetValue(PolicyName));
            using var ownedByThisCommand = owner;
            var result = await context.Source.CollectAsync(policy,
                new RolloutRequest(parse.GetValue(tasks), 1, parse.GetValue(split), AgentTrainer.EvaluationSeed, parse.GetValue(temperature)), cancellationToken);
            var metrics = EpisodeMetrics.Of(result.Episodes);
            await output.WriteLineAsync($"{context.Environment.Description.Name}, {parse.GetValue(split).ToString().ToLowerInvariant()}, {result.Episodes.Count} tasks:");
            foreach (var (key, value) in metrics.OrderBy(p => p.Key, StringComparer.Ordinal))
                await output.WriteLineAsync($"  {key,-48} {value.ToString("0.000", CultureInfo.InvariantCulture)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Play(TextWriter output, TextWriter error)
    {
        var seed = new Option<long>("--seed") { Description = "The task seed.", DefaultValueFactory = _ => 0 };
        var split = new Option<DatasetSplit>("--split") { Description = "train, validation or test.", DefaultValueFactory = _ => DatasetSplit.Validation };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (0 = greedy).", DefaultValueFactory = _ => 0.4 };
        var expert = new Option<bool>("--expert") { Description = "Let the environment's expert play instead of a checkpoint." };
        var command = new Command("play", "Play one episode and print it turn by turn: observation, the model's answer, the action, the reward.")
        {
            Checkpoint, PolicyName, EnvironmentName, SettingsFile, seed, split, temperature, expert,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((parse, cancellationToken) => CliErrors.RunAsync(error, async () =>
        {
            var context = Build(parse);
            await using var _ = context.Provider;
            var rollout = context.Provider.GetRequiredService<RolloutOptions>();
            var parser = context.Provider.GetRequiredService<IActionParser>();
            var prompts = context.Provider.GetRequiredService<IPromptBuilder>();
            var memory = context.Provider.GetRequiredService<IEpisodeMemoryFactory>().Create();
            if (!parse.GetValue(expert) && parse.GetValue(Checkpoint) is null && parse.GetValue(PolicyName) is null)
                throw new GiGpoNetConfigurationException("play needs --checkpoint or --policy, or --expert to watch the expert.");
            var (policy, owner) = parse.GetValue(expert) ? (null, null) : Policy(context, parse.GetValue(Checkpoint), parse.GetValue(PolicyName));
            using var ownedByThisCommand = owner;
            await using var environment = context.Environment.Create();
            var observation = await environment.ResetAsync(new EnvironmentReset(parse.GetValue(seed), parse.GetValue(split)), cancellationToken);
            await output.WriteLineAsync($"Task ({observation.TaskType}): {observation.Task}");
            var maxSteps = rollout.MaxSteps > 0 ? rollout.MaxSteps : context.Environment.Description.DefaultMaxSteps;
            for (var step = 1; step <= maxSteps; step++)
            {
                await output.WriteLineAsync($"\n[{step}] {observation.Text}");
                string answer;
                if (policy is null)
                {
                    if (((IExpertEnvironment)environment).ExpertAction() is not { } expertAction)
                    {
                        await output.WriteLineAsync("The expert cannot solve the task from this state; the episode ends.");
                        break;
                    }
                    answer = AnswerFormat.For(expertAction, rollout.RequireThinkTags);
                }
                else
                {
                    var prompt = prompts.Build(new PromptContext(context.Environment.Description, observation, memory, rollout.HistoryLength));
                    var settings = new GenerationSettings(parse.GetValue(temperature), rollout.TopP, rollout.TopK, rollout.MaxNewTokens, rollout.StopStrings,
                        parse.GetValue(seed) * 31 + step);
                    answer = (await policy.GenerateAsync([new PolicyPrompt(prompt, EnvironmentRolloutSource.AllowedResponses(observation, rollout))], settings,
                        cancellationToken))[0].Text;
                }
                var action = parser.Parse(answer);
                var outcome = await environment.StepAsync(action.Action, cancellationToken);
                memory.Add(observation.Text, action.Action);
                await output.WriteLineAsync($"    {(policy is null ? "expert" : "model")}: {answer.Trim()}");
                await output.WriteLineAsync($"    action: {action.Action}{(action.Valid ? "" : "  (invalid)")}   reward: " +
                    $"{outcome.Reward.ToString("0.##", CultureInfo.InvariantCulture)}");
                observation = outcome.Observation;
                if (outcome.Done)
                {
                    await output.WriteLineAsync($"\n{(outcome.Won ? "Won" : "Ended")} after {step} steps. {observation.Text}");
                    return ExitCodes.Success;
                }
            }
            await output.WriteLineAsync($"\nNot done after {maxSteps} steps (the step limit).");
            return ExitCodes.Success;
        }));
        return command;
    }
}
