namespace GiGpoNet.Environments.Shop;

/// <summary>What buying pays in <c>shop</c>.</summary>
public enum ShopReward
{
    /// <summary>verl-agent's rule-based reward: 10 when the purchase scores 1 (success), else 0.</summary>
    Success,

    /// <summary>
    /// WebShop's own reward: 10 × the purchase's score (0–1, partial credit for the category, attributes, options and price), so a
    /// group whose members all fail can still rank its purchases.
    /// </summary>
    Score,
}
