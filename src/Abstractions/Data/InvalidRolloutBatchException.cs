namespace GiGpoNet.Data;

/// <summary>
/// Thrown when step rows cannot form a consistent batch: a repeated step, a trajectory in two groups,
/// a non-finite reward, an active step after an inactive one, or a column given for some rows only.
/// </summary>
public sealed class InvalidRolloutBatchException : Exception
{
    /// <summary>Creates the exception for the row at <paramref name="rowIndex"/> (0-based, in the order rows were added).</summary>
    public InvalidRolloutBatchException(int rowIndex, string message) : base(message) => RowIndex = rowIndex;

    /// <summary>0-based index of the offending row, in the order the rows were added to the builder.</summary>
    public int RowIndex { get; }
}
