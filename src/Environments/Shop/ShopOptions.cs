namespace GiGpoNet.Environments.Shop;

/// <summary>How the agent searches in <c>shop</c>.</summary>
public enum ShopSearch
{
    /// <summary>WebShop's search: the agent types its query (<c>search[&lt;your query&gt;]</c>), decoded freely.</summary>
    Free,

    /// <summary>
    /// The search page offers one action, <c>search[&lt;the instruction&gt;]</c>, so the query is the instruction itself and every turn
    /// can be decoded under the admissible actions. For policies too small to copy words from their prompt into a query (the built-in
    /// word-level model): the task is then choosing among results, options and pages.
    /// </summary>
    Instruction,
}

/// <summary>Options of the built-in <c>shop</c> environment, bound from <c>Environments:shop</c>.</summary>
public sealed class ShopOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Environments:shop";

    /// <summary>How the agent searches. Default <see cref="ShopSearch.Free"/> (WebShop's).</summary>
    public ShopSearch Search { get; set; } = ShopSearch.Free;

    /// <summary>What buying pays. Default <see cref="ShopReward.Success"/> (verl-agent's).</summary>
    public ShopReward Reward { get; set; } = ShopReward.Success;

    /// <summary>What a product's title names. Default <see cref="ShopTitles.Short"/>.</summary>
    public ShopTitles Titles { get; set; } = ShopTitles.Short;
}
