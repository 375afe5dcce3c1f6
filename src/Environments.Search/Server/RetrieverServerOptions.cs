namespace GiGpoNet.Environments.Search.Server;

/// <summary>Where a <see cref="RetrieverServer"/> listens and what it accepts.</summary>
public sealed class RetrieverServerOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:8000</c> (Search-R1's port).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8000";

    /// <summary>The largest <c>topk</c> accepted. Default 50.</summary>
    public int MaxTopK { get; set; } = 50;

    /// <summary>The most queries in one request. Default 1,024.</summary>
    public int MaxQueries { get; set; } = 1024;

    /// <summary>The largest request body accepted, in bytes. Default 1 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;
}
