using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Environments.Household;
using Microsoft.ML;

// The main job (GiGPO on household's small rooms, as `gigpo train` runs it with the repository's appsettings.json), an evaluation,
// and GiGPO against GRPO over two seeds: about an hour on 2 cores (the main job ~12 min). `--quick` shrinks it to a minute (as the tests run it).
var quick = args.Contains("--quick");
var agents = new AgentContext(seed: 1);
var gigpo = agents.Algorithms.GiGpo(o => o.Mode = AdvantageNormalization.MeanStdNorm);
var household = agents.Environments.Household(o => o.RoomSize = HouseholdRoomSize.Small);
var policy = agents.Policies.FromScratch(o => o.Layers = quick ? 1 : o.Layers);
void Settings(RunSettings s)
{
    (s.Training.Iterations, s.Training.Groups, s.Training.EvaluationInterval, s.Training.EvaluationTasks, s.Rollout.MaxSteps) = (30, 4, 10, 128, 30);
    if (quick) (s.Training.Iterations, s.Training.Groups, s.Training.GroupSize, s.Training.EvaluationTasks, s.WarmStart.Episodes) = (2, 2, 2, 4, 4);
}

var agent = await agents.TrainAsync(gigpo, household, policy, Settings, new Progress<GiGpoNet.Hosting.Training.TrainingEvent>(e => Console.WriteLine(e.Kind)));
Console.WriteLine($"Trained in {agent.RunFolder}: final validation success {agent.Summary["final_success"]:P1}");

var evaluation = await agents.EvaluateAsync(agent, household, tasks: quick ? 4 : 128);
foreach (var (metric, value) in evaluation.Metrics.Where(m => m.Key.StartsWith("success_rate", StringComparison.Ordinal)))
    Console.WriteLine($"  {metric}: {value:P1}");

var grid = agents.Experiments.Grid("gigpo-vs-grpo", gigpo, household, policy, Settings)
    .Compare("algorithm", ("GiGPO", gigpo), ("GRPO", agents.Algorithms.Grpo())).Seeds(1, 2);
var table = await agents.Experiments.RunAsync(grid, "runs/ablations/gigpo-vs-grpo-csharp");
foreach (var row in table.Preview().RowView)
    Console.WriteLine(string.Join(", ", row.Values.Select(v => $"{v.Key} {v.Value}")));
