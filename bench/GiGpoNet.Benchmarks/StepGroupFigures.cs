using GiGpoNet.Environments;
using GiGpoNet.Environments.Household;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- step-groups</c>: GiGPO's step groups on household before any
/// training, per room size and horizon. Groups of 8 episodes of one task are played by a noisy expert (the expert's action, or with
/// probability ε a uniformly random admissible one, as a partly trained policy would act); steps of a group that share their
/// observation form a step group, as GiGPO's exact anchors do. Prints the mean step-group size, the singleton share, the share of
/// steps in groups of two or more, and that share by step index, so one sees how far into an episode states still recur.
/// </summary>
public static class StepGroupFigures
{
    private const int Groups = 64;
    private const int GroupSize = 8;
    private static readonly int[] Buckets = [0, 5, 10, 20, 30, 40, 50];

    public static async Task RunAsync(TextWriter output)
    {
        await output.WriteLineAsync("| rooms | horizon | ε | success | mean length | step groups / group | mean size | singletons | steps in groups ≥ 2 | by step: "
                                    + string.Join(" · ", Buckets.Zip(Buckets.Skip(1), (a, b) => $"{a}–{b - 1}")) + " |");
        await output.WriteLineAsync("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (rooms, horizon) in new[] { (HouseholdRoomSize.Small, 30), (HouseholdRoomSize.Standard, 50) })
        foreach (var epsilon in new[] { 0.1, 0.3, 0.5, 1.0 })
        {
            var survey = await SurveyAsync(() => new HouseholdEnvironment(new HouseholdOptions { RoomSize = rooms }), horizon, epsilon);
            var byStep = string.Join(" · ", survey.SharedByBucket.Select(s => double.IsNaN(s) ? "–" : $"{s:P0}"));
            await output.WriteLineAsync($"| {rooms} | {horizon} | {epsilon:0.0} | {survey.Success:P1} | {survey.MeanLength:0.0} | {survey.GroupsPerGroup:0.0} | "
                                        + $"{survey.MeanSize:0.00} | {survey.Singletons:P1} | {survey.Shared:P1} | {byStep} |");
        }
    }

    private sealed record Survey(double Success, double MeanLength, double GroupsPerGroup, double MeanSize, double Singletons, double Shared,
        double[] SharedByBucket);

    private static async Task<Survey> SurveyAsync(Func<IEnvironment> create, int horizon, double epsilon)
    {
        var random = new Random(17);
        int wins = 0, steps = 0, stepGroups = 0, singletons = 0, shared = 0;
        var bucketSteps = new int[Buckets.Length - 1];
        var bucketShared = new int[Buckets.Length - 1];
        for (var g = 0; g < Groups; g++)
        {
            var anchors = new List<(string Anchor, int Step)>();
            for (var n = 0; n < GroupSize; n++)
            {
                await using var environment = create();
                var expert = (IExpertEnvironment)environment;
                var observation = await environment.ResetAsync(new EnvironmentReset(1_000 + g, DatasetSplit.Train));
                for (var t = 0; t < horizon; t++)
                {
                    anchors.Add((observation.Text, t));
                    var actions = observation.AdmissibleActions ?? [];
                    var action = random.NextDouble() < epsilon || expert.ExpertAction() is not { } planned ? actions[random.Next(actions.Count)] : planned;
                    var step = await environment.StepAsync(action);
                    observation = step.Observation;
                    if (!step.Done) continue;
                    if (step.Won) wins++;
                    break;
                }
            }
            var sizes = anchors.GroupBy(a => a.Anchor, StringComparer.Ordinal).ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal);
            steps += anchors.Count;
            stepGroups += sizes.Count;
            singletons += sizes.Values.Count(s => s == 1);
            foreach (var (anchor, step) in anchors)
            {
                var bucket = Array.FindLastIndex(Buckets, b => step >= b);
                var isShared = sizes[anchor] > 1;
                if (isShared) shared++;
                if (bucket >= bucketSteps.Length) continue;
                bucketSteps[bucket]++;
                if (isShared) bucketShared[bucket]++;
            }
        }
        var episodes = Groups * GroupSize;
        return new Survey((double)wins / episodes, (double)steps / episodes, (double)stepGroups / Groups, (double)steps / stepGroups,
            (double)singletons / stepGroups, (double)shared / steps,
            [.. bucketSteps.Select((s, i) => s == 0 ? double.NaN : (double)bucketShared[i] / s)]);
    }
}
