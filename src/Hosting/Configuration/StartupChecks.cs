using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>
/// Runs the registered <see cref="IStartupCheck"/>s, all of them, and reports every failure in one
/// <see cref="GiGpoNetConfigurationException"/> (a line each). A generic host runs them as it starts, after its options validate.
/// </summary>
internal sealed class StartupChecks(IServiceProvider services) : IHostedLifecycleService
{
    public static async Task RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var failures = new List<GiGpoNetConfigurationException>();
        foreach (var check in services.GetServices<IStartupCheck>())
        {
            try
            {
                await check.CheckAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (GiGpoNetConfigurationException e)
            {
                failures.Add(e);
            }
        }
        if (failures.Count == 1) throw failures[0];
        if (failures.Count > 1) throw new GiGpoNetConfigurationException(string.Join(Environment.NewLine, failures.Select(f => f.Message)), new AggregateException(failures));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => RunAsync(services, cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
