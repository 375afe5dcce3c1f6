using GiGpoNet.Environments;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Remote.Client;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Running;

namespace GiGpoNet;

/// <summary>
/// The registered environments (<see cref="AgentContext.Environments"/>): the built-ins by method, your own and plugins' by name, and
/// environments served over HTTP. Typed options have the names and defaults of the <c>Environments:&lt;name&gt;</c> keys.
/// </summary>
public sealed class EnvironmentCatalog
{
    private readonly AgentServices _services;

    internal EnvironmentCatalog(AgentServices services) => _services = services;

    /// <summary>The registered names, sorted (what <c>Training:Environment</c> accepts).</summary>
    public IReadOnlyList<string> Names => _services.Registries.Environments.Names;

    /// <summary>ALFWorld-style household rooms: find, take, heat, cool, clean and place objects (<c>household</c>).</summary>
    public EnvironmentChoice Household(Action<HouseholdOptions>? configure = null) => Get("household", configure);

    /// <summary>A WebShop-style store: search, pick a product, choose its options, buy (<c>shop</c>).</summary>
    public EnvironmentChoice Shop(Action<ShopOptions>? configure = null) => Get("shop", configure);

    /// <summary>Sokoban: push the box onto the target (<c>sokoban</c>; it takes no options).</summary>
    public EnvironmentChoice Sokoban() => Get("sokoban");

    /// <summary>Search-augmented question answering over a corpus, single- and two-hop (<c>search</c>).</summary>
    public EnvironmentChoice Search(Action<SearchOptions>? configure = null) => Get("search", configure);

    /// <summary>
    /// An environment served over HTTP by <c>gigpo serve-env</c> or your own server, registered as <paramref name="name"/>
    /// (<c>RemoteEnvironments:&lt;name&gt;</c>).
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">An option is wrong.</exception>
    public EnvironmentChoice Remote(string name, Action<RemoteEnvironmentOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var key = EnvironmentRegistry.CheckedName(name);
        var options = new RemoteEnvironmentOptions();
        configure(options);
        var settings = OptionsSettings.Of($"{Microsoft.Extensions.DependencyInjection.RemoteEnvironmentBuilderExtensions.SectionName}:{key}", options,
            new RemoteEnvironmentOptions());
        if (settings.Count == 0) settings[$"{Microsoft.Extensions.DependencyInjection.RemoteEnvironmentBuilderExtensions.SectionName}:{key}:BaseAddress"] = options.BaseAddress;
        _services.Validate(settings);
        return new EnvironmentChoice(key, settings);
    }

    /// <summary>A registered environment by name (yours or a plugin's) with its default options.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Nothing has that name; the message lists what does.</exception>
    public EnvironmentChoice Get(string name) => new(_services.Registries.Environments.Get(name).Name, new Dictionary<string, string>());

    /// <summary>A registered environment by name with its typed options set by <paramref name="configure"/>, checked as at start-up.</summary>
    /// <exception cref="GiGpoNetConfigurationException">Nothing has that name, or an option is out of range.</exception>
    /// <exception cref="ArgumentException"><typeparamref name="TOptions"/> is not the environment's options type.</exception>
    public EnvironmentChoice Get<TOptions>(string name, Action<TOptions>? configure) where TOptions : class, new()
    {
        var registration = _services.Registries.Environments.Get(name);
        var options = Catalog.Options(registration.OptionsType, $"the environment '{registration.Name}'", configure);
        var settings = OptionsSettings.Of($"{EnvironmentRegistry.EnvironmentsSection}:{registration.Name}", options, new TOptions());
        _services.Validate(settings);
        return new EnvironmentChoice(registration.Name, settings);
    }
}
