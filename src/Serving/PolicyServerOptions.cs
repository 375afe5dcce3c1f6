namespace GiGpoNet.Serving;

/// <summary>Options of <c>gigpo serve-policy</c>.</summary>
public sealed class PolicyServerOptions
{
    /// <summary>Where to listen. Default <c>http://127.0.0.1:8000</c> (loopback only: expose it deliberately, with an API key).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8000";

    /// <summary>
    /// When set, every request must carry it, as OpenAI clients send it (<c>Authorization: Bearer K</c>) or in an <c>X-Api-Key</c> header
    /// as <c>serve-env</c> takes it.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>The name <c>/v1/models</c> lists and requests give as <c>model</c>. Default: the checkpoint folder's name.</summary>
    public string? ServedModelName { get; set; }

    /// <summary>Largest request body accepted, in bytes. Default 1 MiB.</summary>
    public long MaxRequestBytes { get; set; } = 1 << 20;

    /// <summary>Most tokens one completion may generate (<c>max_tokens</c>). Default 4096; the model's context length also bounds it.</summary>
    public int MaxTokens { get; set; } = 4096;

    /// <summary>Most sequences one request may ask for (prompts × <c>n</c>). Default 1024.</summary>
    public int MaxRequestSequences { get; set; } = 1024;

    /// <summary>Most sequences generated together in one batch. Default 64.</summary>
    public int MaxBatchSequences { get; set; } = 64;

    /// <summary>How long the first waiting request waits for others to join its batch, in milliseconds. Default 5.</summary>
    public int BatchWindowMilliseconds { get; set; } = 5;

    /// <summary>
    /// How long a weight change (<c>/v1/load_lora_adapter</c>, <c>/update_weights_from_disk</c>) may read its files before it is answered
    /// 504, in seconds; generation goes on while it reads. Default 600.
    /// </summary>
    public int WeightLoadTimeoutSeconds { get; set; } = 600;

    /// <summary>The problems with these options, each naming the option and what it needs (empty when valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxRequestBytes < 1024) yield return $"MaxRequestBytes = {MaxRequestBytes} must be at least 1024.";
        if (MaxTokens < 1) yield return $"MaxTokens = {MaxTokens} must be at least 1.";
        if (MaxRequestSequences < 1) yield return $"MaxRequestSequences = {MaxRequestSequences} must be at least 1.";
        if (MaxBatchSequences < 1) yield return $"MaxBatchSequences = {MaxBatchSequences} must be at least 1.";
        if (BatchWindowMilliseconds is < 0 or > 10_000) yield return $"BatchWindowMilliseconds = {BatchWindowMilliseconds} must be between 0 and 10000.";
        if (WeightLoadTimeoutSeconds < 1) yield return $"WeightLoadTimeoutSeconds = {WeightLoadTimeoutSeconds} must be at least 1.";
        if (ServedModelName is { } name && string.IsNullOrWhiteSpace(name)) yield return "ServedModelName is blank; leave it unset to use the folder's name.";
    }
}
