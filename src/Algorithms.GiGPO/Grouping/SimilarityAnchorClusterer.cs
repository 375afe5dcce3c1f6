namespace GiGpoNet.Algorithms.GiGpo.Grouping;

/// <summary>
/// verl-agent's similarity grouping: each anchor joins the first cluster (in creation order) whose representative — its
/// first member — has <c>SequenceMatcher(None, anchor, representative).ratio() ≥ threshold</c>, else starts a new cluster.
/// Results are those of the reference; the speed-ups (length and multiset upper bounds, remembering where an identical
/// anchor went) never change an assignment.
/// </summary>
internal sealed class SimilarityAnchorClusterer(double threshold) : IAnchorClusterer
{
    private readonly List<SequenceMatcher> _representatives = [];
    private readonly Dictionary<string, int> _knownAssignments = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> _scratch = [];

    public void Reset()
    {
        _representatives.Clear();
        _knownAssignments.Clear();
    }

    public int Assign(string anchor)
    {
        // The same text compared against the same earlier clusters gives the same first match.
        if (_knownAssignments.TryGetValue(anchor, out var known)) return known;

        var codePoints = SequenceMatcher.CodePoints(anchor);
        for (var c = 0; c < _representatives.Count; c++)
        {
            var representative = _representatives[c];
            if (representative.LengthUpperBound(codePoints.Length) < threshold) continue;
            if (representative.QuickRatioUpperBound(codePoints, _scratch) < threshold) continue;
            if (representative.Ratio(codePoints) >= threshold)
            {
                _knownAssignments[anchor] = c;
                return c;
            }
        }

        var created = _representatives.Count;
        var matcher = new SequenceMatcher(anchor);
        _representatives.Add(matcher);
        // A later identical anchor joins this cluster only if the text is similar enough to itself: with autojunk, the longest
        // match of a long text with itself can start off the diagonal, and then the reference keeps comparing (and creating clusters).
        if (matcher.Ratio(codePoints) >= threshold) _knownAssignments[anchor] = created;
        return created;
    }
}
