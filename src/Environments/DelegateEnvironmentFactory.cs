namespace GiGpoNet.Environments;

/// <summary>An <see cref="IEnvironmentFactory"/> from a description and a creation function, for code that builds environments itself.</summary>
public sealed class DelegateEnvironmentFactory(EnvironmentDescription description, Func<IEnvironment> create) : IEnvironmentFactory
{
    /// <inheritdoc />
    public EnvironmentDescription Description { get; } = description ?? throw new ArgumentNullException(nameof(description));

    /// <inheritdoc />
    public IEnvironment Create() => create();
}
