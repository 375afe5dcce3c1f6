using System.Globalization;

namespace GiGpoNet.Environments.Shop;

/// <summary>What the shopper was asked for: a category, attributes, one value per option kind, and a price limit.</summary>
internal sealed record ShopGoal(Product Target, IReadOnlyList<string> Attributes, IReadOnlyDictionary<string, string> Options, double PriceLimit)
{
    /// <summary>The instruction, in WebShop's style.</summary>
    public string Instruction()
    {
        var options = string.Join(", and ", Options.Select(o => $"{o.Key}: {o.Value}"));
        return string.Create(CultureInfo.InvariantCulture,
            $"i need a {string.Join(" and ", Attributes)} {Target.Category} with {options}, and price lower than {PriceLimit:0.00} dollars");
    }

    /// <summary>A goal derived from a product of the catalogue.</summary>
    public static ShopGoal From(ShopCatalogue catalogue, Random random)
    {
        var target = catalogue.Products[random.Next(catalogue.Products.Count)];
        var attributes = target.Attributes.OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(3, target.Attributes.Count) + 1))
            .Order(StringComparer.Ordinal).ToArray();
        var options = target.Options.ToDictionary(o => o.Key, o => o.Value[random.Next(o.Value.Count)]);
        var limit = Math.Ceiling(target.Price * (1.1 + random.NextDouble() * 0.5));
        return new ShopGoal(target, attributes, options, limit);
    }

    /// <summary>Whether buying <paramref name="product"/> can score 1: the asked category and attributes, every asked option value on offer, the price within the limit.</summary>
    public bool CanScoreOne(Product product) =>
        product.Category == Target.Category && Attributes.All(product.Attributes.Contains) && product.Price <= PriceLimit
        && Options.All(o => product.Options.TryGetValue(o.Key, out var offered) && offered.Contains(o.Value));

    /// <summary>
    /// WebShop's score of buying <paramref name="product"/> with <paramref name="chosen"/> options: type match × (matched attributes +
    /// matched options + price within the limit) / (attributes + options + 1). Type match is 1 for the asked category, else 0.1.
    /// </summary>
    public double Score(Product product, IReadOnlyDictionary<string, string> chosen)
    {
        var typeMatch = product.Category == Target.Category ? 1.0 : 0.1;
        var attributes = Attributes.Count(product.Attributes.Contains);
        var options = Options.Count(o => chosen.TryGetValue(o.Key, out var v) && v == o.Value);
        var price = product.Price <= PriceLimit ? 1 : 0;
        return typeMatch * (attributes + options + price) / (Attributes.Count + Options.Count + 1);
    }
}
