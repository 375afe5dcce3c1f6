namespace GiGpoNet.Algorithms.GiGpo.Grouping;

/// <summary>
/// The Ratcliff/Obershelp similarity of Python's <c>difflib.SequenceMatcher(None, a, b).ratio()</c>, reproduced exactly:
/// matching blocks found recursively from the longest common substring, ratio = 2·M / (|a| + |b|) (1.0 when both are empty),
/// over Unicode code points as Python strings are, and with the <c>autojunk</c> heuristic: when |b| ≥ 200, every
/// code point occurring more than |b|/100 + 1 times in b is "popular" and cannot start a match (it can still extend one).
/// The ratio is not symmetric: <c>b</c> is the sequence that is indexed (verl-agent passes the cluster's representative).
/// </summary>
internal sealed class SequenceMatcher
{
    private readonly int[] _b;
    private readonly Dictionary<int, int[]> _b2j;
    private readonly Dictionary<int, int> _bCounts;
    private int[] _j2len = [];
    private int[] _newJ2len = [];

    /// <summary>Prepares <paramref name="b"/> for comparisons against many <c>a</c> sequences.</summary>
    public SequenceMatcher(string b)
    {
        ArgumentNullException.ThrowIfNull(b);
        _b = CodePoints(b);
        var positions = new Dictionary<int, List<int>>();
        _bCounts = new Dictionary<int, int>();
        for (var j = 0; j < _b.Length; j++)
        {
            if (!positions.TryGetValue(_b[j], out var list)) positions[_b[j]] = list = [];
            list.Add(j);
        }

        var popularLimit = _b.Length >= 200 ? _b.Length / 100 + 1 : int.MaxValue;
        _b2j = new Dictionary<int, int[]>(positions.Count);
        foreach (var (element, list) in positions)
        {
            _bCounts[element] = list.Count;
            if (list.Count <= popularLimit) _b2j[element] = [.. list];
        }
    }

    /// <summary>Length of b in code points.</summary>
    public int Length => _b.Length;

    /// <summary><c>SequenceMatcher(None, a, b).ratio()</c>.</summary>
    public static double Ratio(string a, string b) => new SequenceMatcher(b).Ratio(a);

    /// <summary>The similarity of <paramref name="a"/> to this matcher's b.</summary>
    public double Ratio(string a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Ratio(CodePoints(a));
    }

    /// <summary>The similarity of <paramref name="a"/> (code points) to this matcher's b.</summary>
    public double Ratio(ReadOnlySpan<int> a) => CalculateRatio(MatchingCharacters(a), a.Length + _b.Length);

    /// <summary>
    /// An upper bound of <see cref="Ratio(ReadOnlySpan{int})"/> from the multiset intersection of the two sequences
    /// (difflib's <c>quick_ratio</c>); cheap, used to skip comparisons that cannot reach a threshold.
    /// </summary>
    public double QuickRatioUpperBound(ReadOnlySpan<int> a, Dictionary<int, int> scratch)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        scratch.Clear();
        var matches = 0;
        foreach (var element in a)
        {
            scratch.TryGetValue(element, out var used);
            if (_bCounts.TryGetValue(element, out var available) && used < available) matches++;
            scratch[element] = used + 1;
        }
        return CalculateRatio(matches, a.Length + _b.Length);
    }

    /// <summary>An upper bound from the lengths alone (difflib's <c>real_quick_ratio</c>).</summary>
    public double LengthUpperBound(int aLength) => CalculateRatio(Math.Min(aLength, _b.Length), aLength + _b.Length);

    /// <summary>The string's Unicode code points, as Python indexes a <c>str</c> (a lone surrogate stays one element).</summary>
    public static int[] CodePoints(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new int[text.Length];
        var n = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                result[n++] = char.ConvertToUtf32(c, text[i + 1]);
                i++;
            }
            else
            {
                result[n++] = c;
            }
        }
        return n == result.Length ? result : result[..n];
    }

    private static double CalculateRatio(int matches, int length) => length == 0 ? 1.0 : 2.0 * matches / length;

    /// <summary>Sum of the sizes of difflib's matching blocks.</summary>
    private int MatchingCharacters(ReadOnlySpan<int> a)
    {
        if (a.Length == 0 || _b.Length == 0) return 0;
        if (_j2len.Length < _b.Length + 1)
        {
            _j2len = new int[_b.Length + 1];
            _newJ2len = new int[_b.Length + 1];
        }

        var total = 0;
        var queue = new Stack<(int ALo, int AHi, int BLo, int BHi)>();
        queue.Push((0, a.Length, 0, _b.Length));
        while (queue.Count > 0)
        {
            var (alo, ahi, blo, bhi) = queue.Pop();
            var (i, j, k) = FindLongestMatch(a, alo, ahi, blo, bhi);
            if (k == 0) continue;
            total += k;
            if (alo < i && blo < j) queue.Push((alo, i, blo, j));
            if (i + k < ahi && j + k < bhi) queue.Push((i + k, ahi, j + k, bhi));
        }
        return total;
    }

    /// <summary>difflib's <c>find_longest_match</c> with no junk function (so only popular elements are excluded from b2j).</summary>
    private (int I, int J, int Size) FindLongestMatch(ReadOnlySpan<int> a, int alo, int ahi, int blo, int bhi)
    {
        var b = _b;
        int besti = alo, bestj = blo, bestsize = 0;

        // j2len[j + 1] holds the length of the longest match ending with a[i - 1] and b[j]; only the entries written in the
        // previous row are non-zero, and they are cleared after use so the arrays stay zeroed between calls.
        var j2len = _j2len;
        var newJ2len = _newJ2len;
        var touched = new List<int>();
        var newTouched = new List<int>();
        for (var i = alo; i < ahi; i++)
        {
            if (_b2j.TryGetValue(a[i], out var positions))
            {
                foreach (var j in positions)
                {
                    if (j < blo) continue;
                    if (j >= bhi) break;
                    var k = j2len[j] + 1;
                    newJ2len[j + 1] = k;
                    newTouched.Add(j + 1);
                    if (k > bestsize)
                    {
                        besti = i - k + 1;
                        bestj = j - k + 1;
                        bestsize = k;
                    }
                }
            }

            foreach (var index in touched) j2len[index] = 0;
            touched.Clear();
            (j2len, newJ2len) = (newJ2len, j2len);
            (touched, newTouched) = (newTouched, touched);
        }
        foreach (var index in touched) j2len[index] = 0;

        // Extend the match with equal elements on both sides (popular elements included, as no element is junk).
        while (besti > alo && bestj > blo && a[besti - 1] == b[bestj - 1])
        {
            besti--;
            bestj--;
            bestsize++;
        }
        while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] == b[bestj + bestsize])
            bestsize++;

        return (besti, bestj, bestsize);
    }
}
