using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using GiGpoNet.Hosting.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomEstimator;

/// <summary>
/// A host written in code that registers a custom estimator with one call and lets configuration pick it (appsettings.json says
/// <c>Training:Algorithm = time_aligned</c>). By default it trains with it; <c>compare</c> prints its credit assignment next to GiGPO's
/// on a sample batch.
/// </summary>
public static class CustomEstimatorSample
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var compare = args.FirstOrDefault() == "compare";
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = compare ? args[1..] : args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // this sample prints its own lines; errors are reported below
        builder.Services.AddGiGpoNet(builder.Configuration).AddBuiltIns().AddTimeAligned()
            .Decorate<ITrainingStep>((inner, _) => new TimedTrainingStep(inner)); // the built-in step, its iterations timed

        using var host = builder.Build();
        try { await host.StartAsync(); } // validates every option, Training:Algorithm and how the parts fit, before any work
        catch (GiGpoNetConfigurationException e) { await output.WriteLineAsync("Configuration error: " + e.Message); return 2; }
        if (compare) await CompareAsync(host.Services, output);
        else await TrainAsync(host.Services, output);
        await host.StopAsync();
        return 0;
    }

    private static async Task TrainAsync(IServiceProvider services, TextWriter output)
    {
        var trainer = services.GetRequiredService<AgentTrainer>();
        await output.WriteLineAsync($"Training {services.GetRequiredService<IOptions<TrainingOptions>>().Value.Algorithm} into {trainer.OutputDirectory}");
        await foreach (var e in trainer.RunAsync())
            if (e.Metrics.TryGetValue(MetricNames.SuccessRate, out var success))
                await output.WriteLineAsync($"{e.Kind,-12} {e.Iteration,3}  success {success:0.00}  reward {e.Metrics["episode_reward_mean"]:0.00}" +
                    (e.Metrics.TryGetValue(TimedTrainingStep.MetricName, out var seconds) ? $"  {seconds:0.0} s" : ""));
    }

    private static async Task CompareAsync(IServiceProvider services, TextWriter output)
    {
        var selected = services.GetRequiredService<IOptions<TrainingOptions>>().Value.Algorithm;
        var estimators = services.GetRequiredService<IAdvantageEstimatorProvider>();
        var batch = StepRowFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "alfworld-like-steps.jsonl"), requireAnchors: true).Batch;
        var mine = estimators.Get(selected).Estimate(batch);
        var gigpo = estimators.Get("gigpo").Estimate(batch);

        await output.WriteLineAsync($"Selected by configuration: {selected}. Registered: {string.Join(", ", estimators.Names)}.");
        await output.WriteLineAsync($"{"trajectory",-10} {"step",4} {selected,14} {"gigpo",10}  anchor");
        for (var t = 0; t < batch.TrajectoryCount; t++)
        {
            foreach (var row in batch.ActiveRowsOf(t).ToArray())
            {
                var anchor = batch.Anchors[row]!;
                await output.WriteLineAsync(
                    $"{batch.TrajectoryIds[t],-10} {batch.StepIndex[row],4} {mine.RowAdvantage(row),14:F3} {gigpo.RowAdvantage(row),10:F3}  " +
                        $"{(anchor.Length > 48 ? anchor[..45] + "..." : anchor)}");
            }
        }
    }
}
