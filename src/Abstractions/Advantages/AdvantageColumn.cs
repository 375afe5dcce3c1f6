namespace GiGpoNet.Advantages;

/// <summary>
/// A named per-row diagnostic produced by an estimator next to the advantages, such as GiGPO's
/// <c>episode_adv</c>, <c>step_adv</c>, <c>step_return</c> and <c>step_group_size</c>.
/// </summary>
/// <param name="Name">The column name, in snake_case as written to JSON Lines.</param>
/// <param name="Values">One value per batch row (inactive rows hold 0).</param>
public sealed record AdvantageColumn(string Name, double[] Values);
