namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>A relation of the built-in corpus: from one kind of entity to another, stated in the subject's document only.</summary>
internal sealed record Relation(string Name, EntityKind Subject, EntityKind Object)
{
    public static readonly Relation BornIn = new("born_in", EntityKind.Person, EntityKind.City);
    public static readonly Relation WorksFor = new("works_for", EntityKind.Person, EntityKind.Organisation);
    public static readonly Relation HeadquarteredIn = new("headquartered_in", EntityKind.Organisation, EntityKind.City);
    public static readonly Relation FoundedBy = new("founded_by", EntityKind.Organisation, EntityKind.Person);
    public static readonly Relation WrittenBy = new("written_by", EntityKind.Work, EntityKind.Person);
    public static readonly Relation PublishedBy = new("published_by", EntityKind.Work, EntityKind.Organisation);
    public static readonly Relation LocatedIn = new("located_in", EntityKind.City, EntityKind.Country);
    public static readonly Relation Capital = new("capital", EntityKind.Country, EntityKind.City);

    public static IReadOnlyList<Relation> All { get; } = [BornIn, WorksFor, HeadquarteredIn, FoundedBy, WrittenBy, PublishedBy, LocatedIn, Capital];
}
