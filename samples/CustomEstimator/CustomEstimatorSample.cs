using GiGpoNet;
using GiGpoNet.Advantages;
using GiGpoNet.Hosting.Advantages;
using GiGpoNet.Hosting.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CustomEstimator;

/// <summary>
/// Registers a custom estimator with one call, lets configuration pick it (appsettings.json says
/// <c>Training:Algorithm = time_aligned</c>), and compares its credit assignment with GiGPO's on a sample batch.
/// </summary>
public static class CustomEstimatorSample
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders(); // this sample prints a table; errors are reported below
        builder.Services.AddGiGpoNet(builder.Configuration)
            .AddBuiltInAlgorithms()
            .AddAdvantageEstimator<TimeAlignedBaselineEstimator, TimeAlignedBaselineOptions>("time_aligned");

        using var host = builder.Build();
        try
        {
            await host.StartAsync(); // validates every option and Training:Algorithm before any work
        }
        catch (OptionsValidationException e)
        {
            await output.WriteLineAsync("Configuration error: " + string.Join(Environment.NewLine, e.Failures));
            return 2;
        }
        catch (GiGpoNetConfigurationException e)
        {
            await output.WriteLineAsync("Configuration error: " + e.Message);
            return 2;
        }

        var selected = host.Services.GetRequiredService<IOptions<TrainingOptions>>().Value.Algorithm;
        var estimators = host.Services.GetRequiredService<IAdvantageEstimatorProvider>();
        var file = StepRowFile.Read(Path.Combine(AppContext.BaseDirectory, "data", "alfworld-like-steps.jsonl"), requireAnchors: true);
        var batch = file.Batch;
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
                    $"{batch.TrajectoryIds[t],-10} {batch.StepIndex[row],4} {mine.RowAdvantage(row),14:F3} {gigpo.RowAdvantage(row),10:F3}  {(anchor.Length > 48 ? anchor[..45] + "..." : anchor)}");
            }
        }
        await host.StopAsync();
        return 0;
    }
}
