namespace GiGpoNet.Algorithms.GiGpo.Grouping;

/// <summary>
/// Assigns the anchors of one episode group to step groups. Called with the group's rows in canonical order
/// (trajectories in order of first appearance, steps in order); <see cref="Reset"/> starts the next episode group.
/// </summary>
internal interface IAnchorClusterer
{
    /// <summary>Forgets the clusters of the previous episode group.</summary>
    void Reset();

    /// <summary>The cluster of <paramref name="anchor"/>, numbered from 0 within the current episode group.</summary>
    int Assign(string anchor);
}
