namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>An entity of the built-in corpus: its document id, name, kind, and the objects of its relations.</summary>
internal sealed class Entity(string id, string name, EntityKind kind, string description)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public EntityKind Kind { get; } = kind;

    /// <summary>What the entity is, for the first sentence of its document ("a novel", "a research institute").</summary>
    public string Description { get; } = description;

    public Dictionary<Relation, Entity> Facts { get; } = [];
}
