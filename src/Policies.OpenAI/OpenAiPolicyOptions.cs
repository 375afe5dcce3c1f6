namespace GiGpoNet.Policies.OpenAI;

/// <summary>The <c>Policies:openai</c> section: the OpenAI-compatible server that generates the rollouts.</summary>
public sealed class OpenAiPolicyOptions
{
    /// <summary>The section's path.</summary>
    public const string SectionName = "Policies:openai";

    /// <summary>The API's base address, ending in <c>/v1</c>, e.g. <c>http://10.0.0.7:8000/v1</c>. Required.</summary>
    public string BaseAddress { get; set; } = "";

    /// <summary>The served model's name, as the server's <c>/v1/models</c> lists it. Required.</summary>
    public string Model { get; set; } = "";

    /// <summary>Sent as <c>Authorization: Bearer</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Most requests in flight at once (one prompt each; the server batches them). Default 32.</summary>
    public int MaxConcurrency { get; set; } = 32;

    /// <summary>Time-out of one attempt, in seconds. Default 120.</summary>
    public double TimeoutSeconds { get; set; } = 120;

    /// <summary>Retries of a connection error, time-out, 429 or 5xx answer, with exponential back-off. Default 4.</summary>
    public int Retries { get; set; } = 4;

    /// <summary>The first retry's delay, in milliseconds; each later one doubles it. Default 500.</summary>
    public int RetryDelayMilliseconds { get; set; } = 500;

    /// <summary>How the learner's weights reach the server before each rollout. Default <see cref="WeightSyncMode.Auto"/>.</summary>
    public WeightSyncMode WeightSync { get; set; } = WeightSyncMode.Auto;

    /// <summary>
    /// Where synced weights are written, a folder the server can read under the same path (a shared file system when the server runs
    /// elsewhere). Default: a folder under the system's temporary directory.
    /// </summary>
    public string? SyncDirectory { get; set; }

    /// <summary>The problems with these options, each naming the key and what it needs (empty when valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (!Uri.TryCreate(BaseAddress, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            yield return $"{SectionName}:{nameof(BaseAddress)} = '{BaseAddress}' is not an http(s) address; set the server's API address, e.g. http://127.0.0.1:8000/v1.";
        if (string.IsNullOrWhiteSpace(Model)) yield return $"{SectionName}:{nameof(Model)} is empty; set the served model's name (GET /v1/models lists it).";
        if (MaxConcurrency < 1) yield return $"{SectionName}:{nameof(MaxConcurrency)} = {MaxConcurrency} must be at least 1.";
        if (!(TimeoutSeconds > 0)) yield return $"{SectionName}:{nameof(TimeoutSeconds)} = {TimeoutSeconds} must be greater than 0.";
        if (Retries < 0) yield return $"{SectionName}:{nameof(Retries)} = {Retries} must be 0 or more.";
        if (RetryDelayMilliseconds < 0) yield return $"{SectionName}:{nameof(RetryDelayMilliseconds)} = {RetryDelayMilliseconds} must be 0 or more.";
    }
}
