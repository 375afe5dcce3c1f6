namespace GiGpoNet.Advantages;

/// <summary>
/// Count, mean and unbiased (N−1) standard deviation of a set of values, as <c>torch.mean</c> / <c>torch.std</c> give them.
/// A set whose values are all equal has exactly that value as mean and 0 as standard deviation.
/// </summary>
/// <param name="Count">Number of values.</param>
/// <param name="Mean">The mean (0 for an empty set).</param>
/// <param name="Std">The unbiased standard deviation (0 for fewer than two values).</param>
public readonly record struct Moments(int Count, double Mean, double Std)
{
    /// <summary>Accumulates values one at a time (Welford), keeping exactness for equal values.</summary>
    public struct Accumulator
    {
        private int _count;
        private double _mean;
        private double _m2;
        private double _first;
        private bool _allEqual;

        /// <summary>Adds one value.</summary>
        public void Add(double value)
        {
            if (_count == 0)
            {
                _first = value;
                _allEqual = true;
            }
            else if (value != _first)
            {
                _allEqual = false;
            }

            _count++;
            var delta = value - _mean;
            _mean += delta / _count;
            _m2 += delta * (value - _mean);
        }

        /// <summary>The moments of the values added so far.</summary>
        public readonly Moments Result =>
            _count == 0 ? default
            : _allEqual ? new Moments(_count, _first, 0)
            : new Moments(_count, _mean, _count > 1 ? Math.Sqrt(_m2 / (_count - 1)) : 0);
    }

    /// <summary>The moments of <paramref name="values"/>.</summary>
    public static Moments Of(ReadOnlySpan<double> values)
    {
        var accumulator = new Accumulator();
        foreach (var value in values) accumulator.Add(value);
        return accumulator.Result;
    }
}
