namespace GiGpoNet.Environments.Remote.Client;

/// <summary>Creates <see cref="RemoteEnvironment"/> instances of one served environment; its description comes from the server.</summary>
internal sealed class RemoteEnvironmentFactory(RemoteEnvironmentClient client, string localName) : IEnvironmentFactory, IDisposable
{
    private EnvironmentDescription? _description;

    /// <inheritdoc />
    public EnvironmentDescription Description => _description ??= Fetch();

    /// <inheritdoc />
    public IEnvironment Create() => new RemoteEnvironment(client);

    private EnvironmentDescription Fetch()
    {
        var info = client.InfoAsync().GetAwaiter().GetResult();
        var served = info.Environments.FirstOrDefault(e => string.Equals(e.Name, client.Options.Environment, StringComparison.OrdinalIgnoreCase))
                     ?? throw new GiGpoNetConfigurationException(
                         $"{client.Options.BaseAddress} does not serve '{client.Options.Environment}'; it serves: {string.Join(", ", info.Environments.Select(e => e.Name))}.");
        return new EnvironmentDescription(localName, client.Options.MaxSteps > 0 ? client.Options.MaxSteps : served.DefaultMaxSteps, served.TaskTypes,
            served.AgentRole, served.ListsAdmissibleActions);
    }

    /// <inheritdoc />
    public void Dispose() => client.Dispose();
}
