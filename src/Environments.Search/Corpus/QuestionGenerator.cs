namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// The questions of the built-in corpus: one single-hop question (NQ-like: "What is the birthplace of X?") per entity and relation,
/// and one two-hop question (HotpotQA-like: "What is the birthplace of the author of W?", whose answer is a fact of an entity named
/// in the subject's document) per entity and chain of two relations.
/// </summary>
internal static class QuestionGenerator
{
    /// <summary>The single-hop question type.</summary>
    public const string SingleHop = "single_hop";

    /// <summary>The two-hop question type.</summary>
    public const string TwoHop = "two_hop";

    /// <summary>The question's opening for a relation whose object is a person, a place, or something else.</summary>
    private static string Opening(Relation relation) => relation.Object switch
    {
        EntityKind.Person or EntityKind.Organisation => "Who is",
        EntityKind.City when relation == Relation.HeadquarteredIn => "Where are",
        _ => "What is",
    };

    /// <summary>The chains of two relations a two-hop question follows: the first from the subject, the second from the bridge.</summary>
    private static readonly (Relation First, Relation Second)[] Chains =
    [
        (Relation.WrittenBy, Relation.BornIn), (Relation.WrittenBy, Relation.WorksFor), (Relation.PublishedBy, Relation.HeadquarteredIn),
        (Relation.PublishedBy, Relation.FoundedBy), (Relation.BornIn, Relation.LocatedIn), (Relation.WorksFor, Relation.HeadquarteredIn),
        (Relation.WorksFor, Relation.FoundedBy), (Relation.HeadquarteredIn, Relation.LocatedIn), (Relation.FoundedBy, Relation.BornIn),
        (Relation.FoundedBy, Relation.WorksFor),
    ];

    /// <summary>Every question of <paramref name="corpus"/>, single-hop ones first, in entity order.</summary>
    public static IEnumerable<SearchQuestion> All(KnowledgeCorpus corpus)
    {
        foreach (var entity in corpus.Entities)
            foreach (var (relation, target) in entity.Facts)
                yield return new SearchQuestion($"{Opening(relation)} the {relation.Word} of {entity.Name}?", [target.Name], SingleHop, [entity.Name]);
        foreach (var entity in corpus.Entities)
            foreach (var (first, second) in Chains)
                if (entity.Facts.TryGetValue(first, out var bridge) && bridge.Facts.TryGetValue(second, out var answer))
                    yield return new SearchQuestion($"{Opening(second)} the {second.Word} of the {first.Word} of {entity.Name}?", [answer.Name], TwoHop,
                        [entity.Name, bridge.Name]);
    }
}
