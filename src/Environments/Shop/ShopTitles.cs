namespace GiGpoNet.Environments.Shop;

/// <summary>What a product's title names in <c>shop</c>, on result pages and item pages.</summary>
public enum ShopTitles
{
    /// <summary>The brand, two of the product's 2–4 attributes, its category and its audience.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "A configuration value: Environments:shop:Titles=Short.")]
    Short,

    /// <summary>
    /// The brand, every attribute of the product, its category and its audience, as WebShop's long product titles name most of what
    /// an instruction can ask: whether a result fits the asked attributes can then be read on the result page.
    /// </summary>
    Full,
}
