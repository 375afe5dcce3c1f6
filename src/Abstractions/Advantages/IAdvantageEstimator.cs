using GiGpoNet.Data;

namespace GiGpoNet.Advantages;

/// <summary>
/// Computes the advantage of every step row of a rollout batch: the credit the policy update gives to each action.
/// Implementations are pure .NET over arrays, deterministic, and thread-safe for concurrent <see cref="Estimate"/> calls.
/// </summary>
/// <remarks>
/// Register one with <c>builder.AddAdvantageEstimator&lt;TEstimator, TOptions&gt;("name")</c>; it is then selectable by name
/// from configuration (<c>Training:Algorithm</c>) exactly like the built-in ones.
/// </remarks>
public interface IAdvantageEstimator
{
    /// <summary>The optional batch columns this estimator reads (anchors for GiGPO, critic values for GAE, ...).</summary>
    RolloutFields RequiredFields { get; }

    /// <summary>
    /// The fewest trajectories per group it can work with: 2 for estimators that compare the members of a group (GRPO, GiGPO, RLOO),
    /// 1 (the default) for those that do not. Checked against <c>Training:GroupSize</c> at start-up.
    /// </summary>
    int MinimumGroupSize => 1;

    /// <summary>Computes advantages for every row of <paramref name="batch"/>. Inactive rows get 0 and must not be trained on.</summary>
    /// <exception cref="ArgumentException">The batch lacks a column listed in <see cref="RequiredFields"/>.</exception>
    AdvantageResult Estimate(RolloutBatch batch);
}
