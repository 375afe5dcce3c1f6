namespace GiGpoNet.Algorithms.GiGpo.Grouping;

/// <summary>Step groups of identical anchors (ordinal string equality, as Python's dict keys on the raw observation).</summary>
internal sealed class ExactAnchorClusterer : IAnchorClusterer
{
    private readonly Dictionary<string, int> _clusters = new(StringComparer.Ordinal);

    public void Reset() => _clusters.Clear();

    public int Assign(string anchor)
    {
        if (!_clusters.TryGetValue(anchor, out var cluster))
        {
            cluster = _clusters.Count;
            _clusters.Add(anchor, cluster);
        }
        return cluster;
    }
}
