using System.Text;

namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>
/// A string value of a template with the parts that came from the caller's data (messages, tools, keyword arguments) marked. Rendering
/// keeps the marks through concatenation, slicing, splitting and stripping (any other transformation marks its whole result when its
/// input had a mark), so that the encoder can refuse to read control tokens inside data: text a user writes cannot forge
/// <c>&lt;|im_end|&gt;</c>.
/// </summary>
internal sealed class JinjaString : IEquatable<JinjaString>, IComparable<JinjaString>
{
    /// <summary>The empty, unmarked string.</summary>
    public static readonly JinjaString Empty = new("");

    /// <summary>Sorted, disjoint, non-adjacent [start, end) ranges of data.</summary>
    private readonly int[] _data;

    /// <summary>Template text (no data).</summary>
    public JinjaString(string text) : this(text, [])
    {
    }

    private JinjaString(string text, int[] data)
    {
        Text = text;
        _data = data;
    }

    /// <summary>A string that is data throughout.</summary>
    public static JinjaString FromData(string text) => text.Length == 0 ? Empty : new(text, [0, text.Length]);

    /// <summary>The text.</summary>
    public string Text { get; }

    /// <summary>Whether any of it is data.</summary>
    public bool HasData => _data.Length > 0;

    /// <summary>The data ranges as (start, length).</summary>
    public IEnumerable<(int Start, int Length)> DataRanges()
    {
        for (var i = 0; i < _data.Length; i += 2) yield return (_data[i], _data[i + 1] - _data[i]);
    }

    public int Length => Text.Length;

    /// <summary><paramref name="a"/> then <paramref name="b"/>, their marks kept.</summary>
    public static JinjaString Concat(JinjaString a, JinjaString b)
    {
        if (b.Length == 0) return a;
        if (a.Length == 0) return b;
        var builder = new Builder();
        builder.Append(a);
        builder.Append(b);
        return builder.Build();
    }

    /// <summary>The characters [start, start + length), their marks kept.</summary>
    public JinjaString Substring(int start, int length)
    {
        if (start == 0 && length == Text.Length) return this;
        var ranges = new List<int>();
        for (var i = 0; i < _data.Length; i += 2)
        {
            var (from, to) = (Math.Max(_data[i], start), Math.Min(_data[i + 1], start + length));
            if (from < to)
            {
                ranges.Add(from - start);
                ranges.Add(to - start);
            }
        }
        return new JinjaString(Text.Substring(start, length), [.. ranges]);
    }

    /// <summary>A transformed text, marked throughout when this had any mark (the transformation may have moved it).</summary>
    public JinjaString Map(string text) => HasData ? FromData(text) : new JinjaString(text);

    /// <summary>Builds a string from pieces, keeping their marks.</summary>
    public sealed class Builder
    {
        private readonly StringBuilder _text = new();
        private readonly List<int> _data = [];

        public int Length => _text.Length;

        public void Append(JinjaString piece)
        {
            var offset = _text.Length;
            _text.Append(piece.Text);
            for (var i = 0; i < piece._data.Length; i += 2)
            {
                var (from, to) = (piece._data[i] + offset, piece._data[i + 1] + offset);
                if (_data.Count > 0 && _data[^1] == from) _data[^1] = to; // adjacent ranges merge
                else
                {
                    _data.Add(from);
                    _data.Add(to);
                }
            }
        }

        public JinjaString Build() => new(_text.ToString(), [.. _data]);
    }

    public bool Equals(JinjaString? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override bool Equals(object? obj) => obj is JinjaString other && Equals(other);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);

    public int CompareTo(JinjaString? other) => string.CompareOrdinal(Text, other?.Text);

    public override string ToString() => Text;
}
