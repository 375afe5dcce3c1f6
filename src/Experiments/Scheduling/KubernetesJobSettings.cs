namespace GiGpoNet.Experiments.Scheduling;

/// <summary>What a Kubernetes Indexed Job needs beyond the <see cref="ClusterArrayJob"/>: the image and the shared volume.</summary>
public sealed record KubernetesJobSettings
{
    /// <summary>The container image, with <c>gigpo</c> in it.</summary>
    public required string Image { get; init; }

    /// <summary>The PersistentVolumeClaim every pod mounts (ReadWriteMany): it holds the grid file and the run folders.</summary>
    public required string VolumeClaim { get; init; }

    /// <summary>Where the claim is mounted in each pod; the grid file and the output folder lie under it, at the same paths as here.</summary>
    public required string MountPath { get; init; }

    /// <summary>The namespace, or null for the one <c>kubectl</c> uses.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// How often one index is started again after its pod failed for a reason other than its configuration (a node lost, an
    /// eviction, a native crash the cell's own retries did not absorb). Default 2.
    /// </summary>
    public int RetriesPerCell { get; init; } = 2;
}
