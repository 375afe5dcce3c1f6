namespace GiGpoNet.Backend.Tokenization.Jinja;

/// <summary>Jinja's undefined value: falsy, empty when printed or iterated, an error when used in arithmetic or looked into.</summary>
internal sealed class JinjaUndefined(string name)
{
    /// <summary>What was looked up, for the error message.</summary>
    public string Name { get; } = name;

    public ChatTemplateException Error(int line) => new($"line {line}: '{Name}' is undefined.");
}

/// <summary>The object <c>namespace(...)</c> makes: attributes a loop body can assign (<c>{% set ns.found = true %}</c>).</summary>
internal sealed class JinjaNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}

/// <summary>A callable value: a global, a macro, or a method bound to its object.</summary>
/// <param name="Name">Its name in messages.</param>
/// <param name="Invoke">Positional arguments, keyword arguments, the line of the call.</param>
internal sealed record JinjaCallable(string Name, Func<IReadOnlyList<object?>, IReadOnlyDictionary<string, object?>, int, object?> Invoke);

/// <summary>The <c>loop</c> variable of a <c>for</c> body.</summary>
internal sealed class JinjaLoop(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? Attribute(string name, int line) => name switch
    {
        "index" => (long)Index0 + 1,
        "index0" => (long)Index0,
        "revindex" => (long)(items.Count - Index0),
        "revindex0" => (long)(items.Count - Index0 - 1),
        "first" => Index0 == 0,
        "last" => Index0 == items.Count - 1,
        "length" => (long)items.Count,
        "previtem" => Index0 > 0 ? items[Index0 - 1] : new JinjaUndefined("loop.previtem"),
        "nextitem" => Index0 < items.Count - 1 ? items[Index0 + 1] : new JinjaUndefined("loop.nextitem"),
        "depth" => 1L,
        "depth0" => 0L,
        "cycle" => new JinjaCallable("loop.cycle", (arguments, _, at) => arguments.Count == 0
            ? throw new ChatTemplateException($"line {at}: loop.cycle needs at least one value.")
            : arguments[Index0 % arguments.Count]),
        _ => throw new ChatTemplateException($"line {line}: the loop has no attribute '{name}'."),
    };
}
