namespace GiGpoNet.Hosting.Plugins;

/// <summary>Whether a plugin built against one version of GiGPO.NET's abstractions runs on another.</summary>
internal static class PluginCompatibility
{
    /// <summary>
    /// Null when a plugin built against <paramref name="built"/> runs on <paramref name="host"/> (the same major version, and not newer than
    /// the host: it may use what the host lacks), else why not. Before 1.0 a minor version may break the API, as semantic versioning
    /// allows, so there the minor versions must match too.
    /// </summary>
    public static string? Problem(Version built, Version host)
    {
        ArgumentNullException.ThrowIfNull(built);
        ArgumentNullException.ThrowIfNull(host);
        if (built.Major != host.Major || (host.Major == 0 && built.Minor != host.Minor))
            return $"it was built against GiGPO.NET {built.ToString(3)}, and this is {host.ToString(3)}: rebuild it against GiGpoNet.Abstractions {host.ToString(3)}";
        if (built.Minor > host.Minor)
            return $"it was built against GiGPO.NET {built.ToString(3)}, newer than this {host.ToString(3)}: update gigpo, or rebuild the plugin against {host.ToString(3)}";
        return null;
    }
}
