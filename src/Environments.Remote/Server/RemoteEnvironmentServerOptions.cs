namespace GiGpoNet.Environments.Remote.Server;

/// <summary>Options of <c>gigpo serve-env</c>.</summary>
public sealed class RemoteEnvironmentServerOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:5005</c> (loopback only: expose it deliberately, with an API key).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5005";

    /// <summary>When set, every request must carry it in the <c>X-Api-Key</c> header.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Largest request body accepted, in bytes. Default 1 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>Most environment instances alive at once. Default 4096.</summary>
    public int MaxInstances { get; set; } = 4096;
}
