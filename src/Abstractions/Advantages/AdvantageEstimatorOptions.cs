namespace GiGpoNet.Advantages;

/// <summary>
/// Options shared by every built-in estimator. Subclasses add their own knobs; all are bound from
/// <c>Algorithms:&lt;name&gt;</c> in configuration and validated at start-up.
/// </summary>
public abstract class AdvantageEstimatorOptions
{
    /// <summary>
    /// Subtracted from a row's outcome score and from its step return when the row's action was invalid, at that step only
    /// (after discounting). verl-agent: <c>actor.use_invalid_action_penalty=True</c> with <c>invalid_action_penalty_coef</c>.
    /// Default 0.1; 0 turns the penalty off.
    /// </summary>
    [ReferenceParameter("invalid_action_penalty_coef")]
    public double InvalidActionPenaltyCoef { get; set; } = 0.1;

    /// <summary>
    /// Lists what is wrong with these options, one sentence each, starting with the property name.
    /// Empty when the options are valid.
    /// </summary>
    public virtual IEnumerable<string> Validate()
    {
        if (!double.IsFinite(InvalidActionPenaltyCoef) || InvalidActionPenaltyCoef < 0)
            yield return $"{nameof(InvalidActionPenaltyCoef)} = {InvalidActionPenaltyCoef} must be a finite number of 0 or more (0 turns the penalty off).";
    }

    /// <summary>Returns <paramref name="options"/> when <see cref="Validate"/> finds no problem; estimators call it in their constructors.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static TOptions Validated<TOptions>(TOptions options) where TOptions : AdvantageEstimatorOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate().ToList();
        return failures.Count == 0 ? options
            : throw new ArgumentException($"Invalid {typeof(TOptions).Name}: {string.Join(" ", failures)}", nameof(options));
    }

    /// <summary>Shared check for ε: finite and greater than 0.</summary>
    protected static IEnumerable<string> ValidateEpsilon(string name, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
            yield return $"{name} = {value} must be a finite number greater than 0 (it guards the division by the standard deviation).";
    }

    /// <summary>
    /// Shared check for a discount factor γ: a finite number of 0 or more, as the reference accepts (0 makes each step's return its own
    /// reward; 1 is undiscounted).
    /// </summary>
    protected static IEnumerable<string> ValidateDiscount(string name, double value)
    {
        if (!(double.IsFinite(value) && value >= 0))
            yield return $"{name} = {value} must be a finite number of 0 or more (0: each step's own reward; 1: undiscounted).";
    }
}
