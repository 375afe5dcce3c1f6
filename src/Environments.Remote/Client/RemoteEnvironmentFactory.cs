namespace GiGpoNet.Environments.Remote.Client;

/// <summary>
/// Creates <see cref="RemoteEnvironment"/> instances of one served environment; its description comes from the server, asked once by
/// <see cref="LoadAsync"/> (the start-up check of a run that selects it), never by the property.
/// </summary>
internal sealed class RemoteEnvironmentFactory(RemoteEnvironmentClient client, string localName) : IEnvironmentFactory, IDisposable
{
    private EnvironmentDescription? _description;

    /// <inheritdoc />
    public EnvironmentDescription Description => _description ?? throw new InvalidOperationException(
        $"The remote environment '{localName}' has not asked its server for its description yet: validate the configuration first " +
        "(ValidateGiGpoNetConfigurationAsync, or start the host), which does.");

    /// <inheritdoc />
    public IEnvironment Create() => new RemoteEnvironment(client);

    /// <summary>Asks the server for the environment's description (once).</summary>
    /// <exception cref="GiGpoNetConfigurationException">The server does not serve the environment.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _description ??= await FetchAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<EnvironmentDescription> FetchAsync(CancellationToken cancellationToken)
    {
        var info = await client.InfoAsync(cancellationToken).ConfigureAwait(false);
        var served = info.Environments.FirstOrDefault(e => string.Equals(e.Name, client.Options.Environment, StringComparison.OrdinalIgnoreCase))
                     ?? throw new GiGpoNetConfigurationException(
                         $"{client.Options.BaseAddress} does not serve '{client.Options.Environment}'; it serves: {string.Join(", ", info.Environments.Select(e => e.Name))}.");
        return new EnvironmentDescription(localName, client.Options.MaxSteps > 0 ? client.Options.MaxSteps : served.DefaultMaxSteps, served.TaskTypes,
            served.AgentRole, served.ListsAdmissibleActions);
    }

    /// <inheritdoc />
    public void Dispose() => client.Dispose();
}
