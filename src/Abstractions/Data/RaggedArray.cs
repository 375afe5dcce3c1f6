namespace GiGpoNet.Data;

/// <summary>
/// A jagged column stored flat: the values of all rows in one array, and where each row starts.
/// Row <c>i</c> is <c>Values[Offsets[i]..Offsets[i + 1]]</c>. Used for token ids, log-probabilities and
/// per-token values, so that a batch of thousands of rows costs two allocations instead of thousands.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class RaggedArray<T>
{
    private readonly T[] _values;
    private readonly int[] _offsets;

    /// <summary>Wraps a flat value array and its row offsets (length = row count + 1, non-decreasing, starting at 0).</summary>
    /// <exception cref="ArgumentException">The offsets are not a valid partition of <paramref name="values"/>.</exception>
    public RaggedArray(T[] values, int[] offsets)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(offsets);
        if (offsets.Length == 0 || offsets[0] != 0 || offsets[^1] != values.Length)
            throw new ArgumentException("Offsets must start at 0 and end at values.Length.", nameof(offsets));
        for (var i = 1; i < offsets.Length; i++)
            if (offsets[i] < offsets[i - 1])
                throw new ArgumentException($"Offsets must not decrease (offset {i} is {offsets[i]} after {offsets[i - 1]}).", nameof(offsets));
        _values = values;
        _offsets = offsets;
    }

    /// <summary>Number of rows.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>Total number of elements over all rows.</summary>
    public int TotalLength => _values.Length;

    /// <summary>The elements of one row.</summary>
    public ReadOnlySpan<T> this[int row] => _values.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>Length of one row.</summary>
    public int LengthOf(int row) => _offsets[row + 1] - _offsets[row];

    /// <summary>The flat values of all rows.</summary>
    public ReadOnlySpan<T> Values => _values;

    /// <summary>The row offsets (row count + 1 entries).</summary>
    public ReadOnlySpan<int> Offsets => _offsets;

    /// <summary>
    /// A ragged array with this array's row lengths and the given flat values (which must have
    /// <see cref="TotalLength"/> elements). The row offsets are shared, not copied.
    /// </summary>
    public RaggedArray<TOther> WithValues<TOther>(TOther[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != _values.Length)
            throw new ArgumentException($"Expected {_values.Length} values to match the row lengths, got {values.Length}.", nameof(values));
        return new RaggedArray<TOther>(values, _offsets, trusted: true);
    }

    private RaggedArray(T[] values, int[] offsets, bool trusted)
    {
        _ = trusted;
        _values = values;
        _offsets = offsets;
    }

    /// <summary>Packs one array per row into a ragged array; a <c>null</c> row is empty.</summary>
    public static RaggedArray<T> FromRows(IReadOnlyList<T[]?> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var offsets = new int[rows.Count + 1];
        for (var i = 0; i < rows.Count; i++)
            offsets[i + 1] = checked(offsets[i] + (rows[i]?.Length ?? 0));
        var values = new T[offsets[^1]];
        for (var i = 0; i < rows.Count; i++)
            rows[i]?.CopyTo(values, offsets[i]);
        return new RaggedArray<T>(values, offsets);
    }
}
