namespace GiGpoNet.Environments.Remote.Client;

/// <summary>Where a remote environment lives and how patiently to talk to it.</summary>
public sealed class RemoteEnvironmentOptions
{
    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:5005</c>.</summary>
    public string BaseAddress { get; set; } = "http://127.0.0.1:5005";

    /// <summary>The environment's name on the server.</summary>
    public string Environment { get; set; } = "";

    /// <summary>Sent as <c>X-Api-Key</c> when set.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Time-out of one attempt. Default 30 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after a failed attempt (connection error, time-out, 5xx). Default 3.</summary>
    public int Retries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubles each time. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Step limit reported to the rollout loop; 0 asks the server. Default 0.</summary>
    public int MaxSteps { get; set; }
}
