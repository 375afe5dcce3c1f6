using System.Diagnostics;
using GiGpoNet.Environments.Shop;

namespace GiGpoNet.Environments.Diagnostics;

/// <summary>What <see cref="RandomAdmissibleAgent"/> measured.</summary>
/// <param name="Steps">Environment steps taken.</param>
/// <param name="Seconds">Time spent in the environments (reset and step), single-threaded.</param>
/// <param name="RecurringFraction">Share of steps whose anchor (observation) another step of the same group also had.</param>
/// <param name="SuccessRate">Share of episodes won.</param>
public sealed record RandomAgentReport(long Steps, double Seconds, double RecurringFraction, double SuccessRate)
{
    /// <summary>Environment steps per second.</summary>
    public double StepsPerSecond => Steps / Seconds;
}

/// <summary>
/// A baseline agent that picks uniformly among the admissible actions (on a shop search page it searches the instruction). It measures
/// how often states recur within a group, which is what gives GiGPO's step level its signal, and how fast an environment steps.
/// </summary>
internal static class RandomAdmissibleAgent
{
    /// <summary>Runs <paramref name="groups"/> groups of <paramref name="groupSize"/> episodes of at most <paramref name="maxSteps"/> steps.</summary>
    public static async Task<RandomAgentReport> RunAsync(Func<IEnvironment> create, int groups, int groupSize, int maxSteps, int seed)
    {
        ArgumentNullException.ThrowIfNull(create);
        var random = new Random(seed);
        long steps = 0, recurring = 0;
        var wins = 0;
        var clock = new Stopwatch();
        for (var g = 0; g < groups; g++)
        {
            var anchors = new List<string>();
            for (var n = 0; n < groupSize; n++)
            {
                await using var environment = create();
                clock.Start();
                var observation = await environment.ResetAsync(new EnvironmentReset(seed * 10_007L + g, DatasetSplit.Train));
                clock.Stop();
                for (var t = 0; t < maxSteps; t++)
                {
                    anchors.Add(observation.Text);
                    var actions = observation.AdmissibleActions ?? [];
                    var action = actions.Count == 0 ? "look" : actions[random.Next(actions.Count)];
                    if (action == "search[<your query>]") action = ShopEnvironment.DefaultQuery(observation);
                    clock.Start();
                    var step = await environment.StepAsync(action);
                    clock.Stop();
                    steps++;
                    observation = step.Observation;
                    if (step.Done)
                    {
                        if (step.Won) wins++;
                        break;
                    }
                }
            }
            recurring += anchors.GroupBy(a => a, StringComparer.Ordinal).Where(x => x.Count() > 1).Sum(x => x.Count());
        }
        return new RandomAgentReport(steps, clock.Elapsed.TotalSeconds, (double)recurring / steps, (double)wins / (groups * groupSize));
    }
}
