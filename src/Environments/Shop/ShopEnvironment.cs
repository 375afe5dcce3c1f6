using System.Globalization;

namespace GiGpoNet.Environments.Shop;

/// <summary>
/// <c>shop</c>: a WebShop-like environment over a seeded catalogue of 1,200 products. Pages: search, results (10 a page, up to 50
/// results, next and previous page), item details with option choices, and buy. Actions: <c>search[query]</c> and <c>click[...]</c>.
/// Buying ends the episode with WebShop's score; the reward is 10 when the score is 1 (success), else 0, or 10 × the score
/// (<see cref="ShopOptions.Reward"/>). 15 steps by default.
/// </summary>
public sealed class ShopEnvironment : IEnvironment, IExpertEnvironment
{
    private const int PageSize = 10;
    private const int MaxResults = 50;
    private readonly ShopCatalogue _catalogue;
    private readonly ShopOptions _options;
    private ShopGoal? _goal;
    private Page _page = Page.Search;
    private List<Product> _results = [];
    private int _resultPage;
    private Product? _item;
    private readonly Dictionary<string, string> _chosen = [];
    private bool _done;

    private enum Page { Search, Results, Item }

    /// <summary>Creates the environment over the default catalogue, with the default options (WebShop's free-text search).</summary>
    public ShopEnvironment() : this(new ShopOptions())
    {
    }

    /// <summary>Creates the environment over the default catalogue.</summary>
    [Microsoft.Extensions.DependencyInjection.ActivatorUtilitiesConstructor]
    public ShopEnvironment(ShopOptions options) : this(ShopCatalogue.Default, options)
    {
    }

    internal ShopEnvironment(ShopCatalogue catalogue, ShopOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (_catalogue, _options) = (catalogue, options);
    }

    /// <summary>The environment's description.</summary>
    public static EnvironmentDescription Description { get; } = new(
        "shop", 15, ["shop"], "You are an expert autonomous agent operating in the WebShop e-commerce platform.");

    /// <summary>Number of products in the default catalogue.</summary>
    public static int CatalogueSize => ShopCatalogue.Default.Products.Count;

    /// <inheritdoc />
    public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        _goal = ShopGoal.From(_catalogue, new Random(TaskSeeds.For(reset.TaskSeed, reset.Split)));
        _page = Page.Search;
        _results = [];
        _resultPage = 0;
        _item = null;
        _chosen.Clear();
        _done = false;
        return ValueTask.FromResult(Observe());
    }

    /// <inheritdoc />
    public ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        var goal = _goal ?? throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        if (_done) throw new InvalidOperationException("The episode is over; call ResetAsync to start another.");
        var text = (action ?? string.Empty).Trim();
        var lower = text.ToLowerInvariant();

        if (_page == Page.Search && lower.StartsWith("search[", StringComparison.Ordinal) && lower.EndsWith(']') && lower.Length > 8)
        {
            _results = _catalogue.Search(text[7..^1], MaxResults);
            _resultPage = 0;
            _page = Page.Results;
        }
        else if (lower.StartsWith("click[", StringComparison.Ordinal) && lower.EndsWith(']'))
        {
            var target = lower[6..^1].Trim();
            if (target == "buy now" && _page == Page.Item)
            {
                var score = goal.Score(_item!, _chosen);
                _done = true;
                var won = score >= 1 - 1e-9;
                return ValueTask.FromResult(new EnvironmentStep(
                    new EnvironmentObservation(string.Create(CultureInfo.InvariantCulture,
                        $"Thank you for shopping with us! [SEP] Your score (min 0.0, max 1.0) [SEP] {score:0.000}"),
                        goal.Instruction(), "shop", []),
                    Reward(score, won), Done: true, Won: won, Score: score));
            }
            Click(target);
        }
        return ValueTask.FromResult(new EnvironmentStep(Observe(), 0, false, false));
    }

    private double Reward(double score, bool won) => _options.Reward == ShopReward.Score ? 10 * score : won ? 10 : 0;

    private void Click(string target)
    {
        switch (_page)
        {
            case Page.Results when target == "back to search":
            case Page.Item when target == "back to search":
                _page = Page.Search;
                break;
            case Page.Results when target == "next >" && (_resultPage + 1) * PageSize < _results.Count:
                _resultPage++;
                break;
            case Page.Results when target == "< prev" && _resultPage > 0:
                _resultPage--;
                break;
            case Page.Results when PageItems().FirstOrDefault(p => p.Id.Equals(target, StringComparison.OrdinalIgnoreCase)) is { } product:
                _item = product;
                _chosen.Clear();
                _page = Page.Item;
                break;
            case Page.Item when target == "< prev":
                _page = Page.Results;
                break;
            case Page.Item when _item!.Options.FirstOrDefault(o => o.Value.Contains(target)) is { Key: { } kind }:
                _chosen[kind] = target;
                break;
        }
    }

    private string TitleOf(Product product) => _options.Titles == ShopTitles.Full ? product.FullTitle : product.Title;

    private IEnumerable<Product> PageItems() => _results.Skip(_resultPage * PageSize).Take(PageSize);

    private EnvironmentObservation Observe()
    {
        string text;
        var actions = new List<string>();
        switch (_page)
        {
            case Page.Search:
                text = "Search";
                actions.Add(_options.Search == ShopSearch.Instruction ? $"search[{_goal!.Instruction()}]" : "search[<your query>]");
                break;
            case Page.Results:
                var parts = new List<string> { "Back to Search", $"Page {_resultPage + 1} (Total results: {_results.Count})" };
                actions.Add("click[back to search]");
                if (_resultPage > 0) { parts.Add("< Prev"); actions.Add("click[< prev]"); }
                if ((_resultPage + 1) * PageSize < _results.Count) { parts.Add("Next >"); actions.Add("click[next >]"); }
                foreach (var p in PageItems())
                {
                    parts.Add(p.Id);
                    parts.Add(TitleOf(p));
                    parts.Add(string.Create(CultureInfo.InvariantCulture, $"${p.Price:0.00}"));
                    actions.Add($"click[{p.Id.ToLowerInvariant()}]");
                }
                text = string.Join(" [SEP] ", parts);
                break;
            default:
                var item = _item!;
                var itemParts = new List<string> { "Back to Search", "< Prev" };
                actions.Add("click[back to search]");
                actions.Add("click[< prev]");
                foreach (var (kind, values) in item.Options)
                {
                    itemParts.Add(kind);
                    itemParts.AddRange(values);
                    actions.AddRange(values.Select(v => $"click[{v}]"));
                }
                itemParts.Add(TitleOf(item));
                itemParts.Add(string.Create(CultureInfo.InvariantCulture, $"Price: ${item.Price:0.00}"));
                itemParts.Add("Rating: N.A.");
                if (_chosen.Count > 0) itemParts.Add("Selected: " + string.Join(", ", _chosen.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}")));
                itemParts.Add("Buy Now");
                actions.Add("click[buy now]");
                text = string.Join(" [SEP] ", itemParts);
                break;
        }
        return new EnvironmentObservation(text, _goal!.Instruction(), "shop", actions);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The expert shops as a person would from what the pages show: it searches with the instruction, opens the first result that
    /// can score 1 (the asked category and attributes, the asked option values on offer, the price within the limit), chooses the
    /// asked options and buys. When no result can, it searches for the target's title (<see cref="ShopSearch.Free"/>), or opens the
    /// best-scoring result and buys it (<see cref="ShopSearch.Instruction"/>, where the instruction is the only query).
    /// </remarks>
    public string? ExpertAction()
    {
        var goal = _goal ?? throw new InvalidOperationException("Call ResetAsync first.");
        var pick = _results.FirstOrDefault(goal.CanScoreOne)
                   ?? (_options.Search == ShopSearch.Instruction ? _results.MaxBy(p => goal.Score(p, goal.Options)) : null);
        switch (_page)
        {
            case Page.Search:
                // Searched with the instruction and nothing fits: search for the target itself (free search only).
                return _results.Count > 0 && pick is null ? $"search[{TitleOf(goal.Target)}]" : $"search[{goal.Instruction()}]";
            case Page.Results:
                if (pick is null) return "click[back to search]";
                var page = _results.IndexOf(pick) / PageSize;
                return page > _resultPage ? "click[next >]" : page < _resultPage ? "click[< prev]" : $"click[{pick.Id.ToLowerInvariant()}]";
            default:
                if (pick is null || _item != pick) return "click[< prev]";
                var missing = goal.Options.FirstOrDefault(o => pick.Options.TryGetValue(o.Key, out var offered) && offered.Contains(o.Value)
                                                              && (!_chosen.TryGetValue(o.Key, out var v) || v != o.Value));
                return missing.Key is null ? "click[buy now]" : $"click[{missing.Value}]";
        }
    }

    /// <summary>A query a scripted (non-language) policy can use on the search page: the instruction itself.</summary>
    public static string DefaultQuery(EnvironmentObservation observation) => $"search[{observation.Task}]";

    /// <inheritdoc />
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
