namespace GiGpoNet.Experiments.Scheduling;

/// <summary>What a Slurm array job needs beyond the <see cref="ClusterArrayJob"/>: where it runs and where its logs go.</summary>
public sealed record SlurmArraySettings
{
    /// <summary>The folder of the tasks' output files (<c>%A_%a.out</c>: array job id, task index); on the shared file system.</summary>
    public required string LogFolder { get; init; }

    /// <summary>The partition (<c>--partition</c>), or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>The account charged (<c>--account</c>), or null for the user's default.</summary>
    public string? Account { get; init; }
}
