namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// A relation of the built-in corpus: from one kind of entity to another, stated in the subject's document only, under the word that
/// documents and questions both use for it (<see cref="Word"/>: "the birthplace of ...").
/// </summary>
internal sealed record Relation(string Word, EntityKind Subject, EntityKind Object)
{
    public static readonly Relation BornIn = new("birthplace", EntityKind.Person, EntityKind.City);
    public static readonly Relation WorksFor = new("employer", EntityKind.Person, EntityKind.Organisation);
    public static readonly Relation HeadquarteredIn = new("headquarters", EntityKind.Organisation, EntityKind.City);
    public static readonly Relation FoundedBy = new("founder", EntityKind.Organisation, EntityKind.Person);
    public static readonly Relation WrittenBy = new("author", EntityKind.Work, EntityKind.Person);
    public static readonly Relation PublishedBy = new("publisher", EntityKind.Work, EntityKind.Organisation);
    public static readonly Relation LocatedIn = new("country", EntityKind.City, EntityKind.Country);
    public static readonly Relation Capital = new("capital", EntityKind.Country, EntityKind.City);

    public static IReadOnlyList<Relation> All { get; } = [BornIn, WorksFor, HeadquarteredIn, FoundedBy, WrittenBy, PublishedBy, LocatedIn, Capital];
}
