namespace GiGpoNet.Environments.Shop;

/// <summary>
/// A product: its short title (two attributes) and full title (every attribute), category, attributes, option values per option
/// kind, and price.
/// </summary>
internal sealed record Product(string Id, string Title, string FullTitle, string Category, IReadOnlyList<string> Attributes,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Options, double Price)
{
    /// <summary>Lower-case words of the title, category and attributes, for search.</summary>
    public HashSet<string> Words { get; } = ShopText.Words($"{Title} {Category} {string.Join(' ', Attributes)}");
}

/// <summary>
/// A seeded catalogue in the spirit of WebShop's 1,000-product file: ten categories, each with its attribute vocabulary and option
/// kinds (colour, size, ...), brands, titles, and prices. The same seed always gives the same catalogue.
/// </summary>
internal sealed class ShopCatalogue
{
    private sealed record CategorySpec(string Name, string[] Attributes, (string Kind, string[] Values)[] Options, double MinPrice, double MaxPrice);

    private static readonly CategorySpec[] Categories =
    [
        new("running shoes", ["non-slip", "lightweight", "breathable", "waterproof", "memory foam", "wide fit"],
            [("color", ["black", "white", "blue", "grey", "red"]), ("size", ["7", "8", "9", "10", "11", "12"])], 25, 140),
        new("t-shirt", ["cotton", "slim fit", "machine wash", "short sleeve", "v-neck", "moisture wicking"],
            [("color", ["black", "white", "navy", "green", "red"]), ("size", ["small", "medium", "large", "x-large"])], 8, 40),
        new("headphones", ["wireless", "noise cancelling", "bluetooth", "over-ear", "long battery life", "foldable"],
            [("color", ["black", "white", "silver", "blue"])], 15, 300),
        new("coffee", ["organic", "decaf", "dark roast", "whole bean", "fair trade", "low acid"],
            [("size", ["12 oz", "2 lb", "5 lb"])], 7, 60),
        new("shampoo", ["sulfate free", "paraben free", "natural", "for dry hair", "vegan", "travel size"],
            [("size", ["8 oz", "16 oz", "32 oz"]), ("scent", ["lavender", "coconut", "unscented", "mint"])], 5, 35),
        new("backpack", ["water resistant", "laptop compartment", "lightweight", "anti-theft", "usb charging"],
            [("color", ["black", "grey", "navy", "olive"])], 20, 120),
        new("desk lamp", ["led", "dimmable", "usb charging", "touch control", "eye caring"],
            [("color", ["black", "white", "silver"])], 12, 80),
        new("phone case", ["shockproof", "slim", "magsafe compatible", "clear", "wallet"],
            [("color", ["black", "clear", "pink", "blue"]), ("model", ["iphone 13", "iphone 14", "iphone 15"])], 6, 45),
        new("yoga mat", ["non-slip", "eco friendly", "extra thick", "with strap"],
            [("color", ["purple", "black", "teal", "pink"]), ("size", ["4mm", "6mm", "8mm"])], 15, 90),
        new("water bottle", ["insulated", "bpa free", "leak proof", "stainless steel", "with straw"],
            [("color", ["black", "white", "teal", "orange"]), ("size", ["18 oz", "24 oz", "32 oz"])], 10, 50),
    ];

    private static readonly string[] Brands =
        ["Acme", "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Adatum", "Wingtip", "Lucerne", "Margie", "Coho"];

    private static readonly string[] Audiences = ["men", "women", "kids", "travel", "home", "office", "outdoor", "everyday"];

    private ShopCatalogue(IReadOnlyList<Product> products)
    {
        Products = products;
        ById = products.ToDictionary(p => p.Id, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The default catalogue: 1,200 products.</summary>
    public static ShopCatalogue Default { get; } = Create(1200, seed: 1000);

    public IReadOnlyList<Product> Products { get; }

    public IReadOnlyDictionary<string, Product> ById { get; }

    public static ShopCatalogue Create(int count, int seed)
    {
        var random = new Random(seed);
        var products = new List<Product>(count);
        var ids = new HashSet<string>();
        while (products.Count < count)
        {
            var category = Categories[random.Next(Categories.Length)];
            var attributes = category.Attributes.OrderBy(_ => random.Next()).Take(random.Next(2, 5)).Order(StringComparer.Ordinal).ToArray();
            var options = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var (kind, values) in category.Options)
                options[kind] = values.OrderBy(_ => random.Next()).Take(random.Next(2, values.Length + 1)).ToArray();
            var price = Math.Round(category.MinPrice + random.NextDouble() * (category.MaxPrice - category.MinPrice), 2);
            var id = "B0" + new string(Enumerable.Range(0, 8).Select(_ => "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[random.Next(34)]).ToArray());
            if (!ids.Add(id)) continue;
            var brand = Brands[random.Next(Brands.Length)];
            var audience = Audiences[random.Next(Audiences.Length)];
            products.Add(new Product(id, $"{brand} {string.Join(" ", attributes.Take(2))} {category.Name} for {audience}",
                $"{brand} {string.Join(" ", attributes)} {category.Name} for {audience}", category.Name, attributes, options, price));
        }
        return new ShopCatalogue(products);
    }

    /// <summary>Products ranked by how many query words they contain (ties keep catalogue order); at most <paramref name="limit"/>.</summary>
    public List<Product> Search(string query, int limit)
    {
        var words = ShopText.Words(query);
        return Products
            .Select((p, i) => (Product: p, Index: i, Score: p.Words.Count(words.Contains)))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Index)
            .Take(limit)
            .Select(x => x.Product)
            .ToList();
    }
}

/// <summary>Word splitting shared by search and matching.</summary>
internal static class ShopText
{
    public static HashSet<string> Words(string text) =>
        [.. text.ToLowerInvariant().Split([' ', ',', '.', ':', ';', '[', ']', '(', ')', '$'], StringSplitOptions.RemoveEmptyEntries)];
}
