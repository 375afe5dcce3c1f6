using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace GiGpoNet.Environments.Remote.Client;

/// <summary>
/// At start-up, when <c>Training:Environment</c> names a remote environment: its server answers and serves it, and the environment's
/// description (step limit, task types, role) is read from it, before any work.
/// </summary>
internal sealed class RemoteEnvironmentCheck(IServiceProvider services, RemoteEnvironmentCheck.Selection selection, EnvironmentRegistry environments) : IStartupCheck
{
    /// <summary>The configuration whose <c>Training:Environment</c> selects the environment.</summary>
    internal sealed record Selection(IConfiguration Configuration);

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!environments.TryGet(selection.Configuration["Training:Environment"], out var selected) || selected.ImplementationType != typeof(RemoteEnvironment)
            || services.GetKeyedService<IEnvironmentFactory>(selected.Name) is not RemoteEnvironmentFactory factory) return;
        try
        {
            await factory.LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or RemoteServerException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new GiGpoNetConfigurationException($"The environment server of '{selected.Name}' " +
                $"({RemoteEnvironmentBuilderExtensions.SectionName}:{selected.Name}:BaseAddress) did not answer ({e.Message}): " +
                "start it (gigpo serve-env), or correct the address.", e);
        }
    }
}
