using GiGpoNet.Environments;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Extensions.AI;
using Microsoft.Extensions.AI;

// dotnet run --project samples/ChatClient -- [checkpoint folder] [task seed]
// Plays one held-out household task with a policy trained by `gigpo train` (the main job's by default), asking it for each action
// through IChatClient, the way any .NET application would use it. The prompts and the answer format are the main job's.
var checkpoint = args.Length > 0 ? args[0] : Path.Combine("runs", "gigpo-household-seed1", "checkpoints", "final");
var seed = args.Length > 1 && long.TryParse(args[1], out var s) ? s : 3;
if (!Directory.Exists(checkpoint))
{
    Console.Error.WriteLine($"No checkpoint at '{checkpoint}': train one first (dotnet run --project src/Cli -- train), or pass a checkpoint folder.");
    return 2;
}

var rollout = new RolloutOptions { HistoryLength = 1, MaxNewTokens = 24, RequireThinkTags = false, ConstrainToAdmissibleActions = true, ShowAdmissibleActions = false };
var prompts = new AgentPromptBuilder(rollout);
var parser = new TagActionParser(rollout);
var memory = new SimpleEpisodeMemoryFactory().Create();
using IChatClient agent = PolicyChatClient.Load(checkpoint);
await using var environment = new HouseholdEnvironment(new HouseholdOptions { RoomSize = HouseholdRoomSize.Small });

var observation = await environment.ResetAsync(new EnvironmentReset(seed, DatasetSplit.Test));
Console.WriteLine($"Task ({observation.TaskType}): {observation.Task}");
for (var step = 1; step <= 30; step++)
{
    var prompt = prompts.Build(new PromptContext(HouseholdEnvironment.Description, observation, memory, rollout.HistoryLength));
    var options = new ChatOptions { Temperature = 0.4f, Seed = seed * 31 + step, MaxOutputTokens = rollout.MaxNewTokens, StopSequences = [.. rollout.StopStrings] };
    // The main job's agent decodes under the constraint that its answer is an admissible action.
    if (EnvironmentRolloutSource.AllowedResponses(observation, rollout) is { } allowed)
        options.AdditionalProperties = new() { [PolicyChatClient.AllowedResponsesKey] = allowed };
    var reply = await agent.GetResponseAsync(prompt, options);
    var action = parser.Parse(reply.Text);
    var outcome = await environment.StepAsync(action.Action);
    memory.Add(observation.Text, action.Action);
    Console.WriteLine($"[{step}] {action.Action}{(action.Valid ? "" : " (invalid)")}  reward {outcome.Reward:0.##}");
    observation = outcome.Observation;
    if (outcome.Done)
    {
        Console.WriteLine($"{(outcome.Won ? "Won" : "Ended")} after {step} steps.");
        return 0;
    }
}
Console.WriteLine("Not done after 30 steps.");
return 0;
