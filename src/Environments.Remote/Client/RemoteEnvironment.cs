using GiGpoNet.Environments.Remote.Protocol;

namespace GiGpoNet.Environments.Remote.Client;

/// <summary>
/// An environment that lives on a remote server, used exactly like a local one. Its instance is created on the first reset and closed
/// on dispose. A failure (after retries) surfaces as an exception, which the rollout loop turns into a failed, truncated trajectory.
/// </summary>
internal sealed class RemoteEnvironment(RemoteEnvironmentClient client) : IEnvironment
{
    private string? _id;
    private int _step;

    /// <inheritdoc />
    public async ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        _id ??= (await client.CreateAsync(1, cancellationToken))[0];
        var result = (await client.ResetAsync([new ResetItem(_id, reset.TaskSeed, reset.Split.ToString().ToLowerInvariant())], cancellationToken))[0];
        _step = 0;
        return RemoteJson.FromDto(Checked(result).Observation!);
    }

    /// <inheritdoc />
    public async ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        if (_id is null) throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        var result = Checked((await client.StepAsync([new StepItem(_id, _step, action)], cancellationToken))[0]);
        _step++;
        return new EnvironmentStep(RemoteJson.FromDto(result.Observation!), result.Reward, result.Done, result.Won, result.Score);
    }

    private ItemResult Checked(ItemResult result) =>
        result.Error is { } error || result.Observation is null
            ? throw new RemoteServerException(System.Net.HttpStatusCode.OK, $"{client.Options.BaseAddress} ({client.Options.Environment}): {result.Error ?? "no observation"}")
            : result;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_id is null) return;
        try
        {
            await client.CloseAsync([_id]);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            // The server is gone; there is nothing left to close.
        }
        _id = null;
    }
}
