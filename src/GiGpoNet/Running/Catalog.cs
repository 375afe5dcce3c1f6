namespace GiGpoNet.Running;

/// <summary>What the catalogs share: typed options made and set for a registered component.</summary>
internal static class Catalog
{
    /// <summary>New options of <typeparamref name="TOptions"/>, set by <paramref name="configure"/>, after checking they are the component's type.</summary>
    /// <exception cref="ArgumentException">The component takes other options, or none.</exception>
    public static TOptions Options<TOptions>(Type? registered, string component, Action<TOptions>? configure) where TOptions : class, new()
    {
        if (registered != typeof(TOptions))
            throw new ArgumentException(registered is null
                ? $"{component} takes no options; choose it without configuring {typeof(TOptions).Name}."
                : $"{component} takes {registered.Name}, not {typeof(TOptions).Name}.", nameof(configure));
        var options = new TOptions();
        configure?.Invoke(options);
        return options;
    }
}
