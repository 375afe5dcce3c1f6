namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// The questions of the built-in corpus: one single-hop question (NQ-like) per entity and relation, and one two-hop question
/// (HotpotQA-like: the answer is a fact of an entity named in the subject's document) per entity and chain of two relations.
/// </summary>
internal static class QuestionGenerator
{
    /// <summary>The single-hop question type.</summary>
    public const string SingleHop = "single_hop";

    /// <summary>The two-hop question type.</summary>
    public const string TwoHop = "two_hop";

    private static readonly Dictionary<Relation, string> SingleTemplates = new()
    {
        [Relation.BornIn] = "Where was {0} born?",
        [Relation.WorksFor] = "Which organisation does {0} work for?",
        [Relation.HeadquarteredIn] = "In which city is {0} headquartered?",
        [Relation.FoundedBy] = "Who founded {0}?",
        [Relation.WrittenBy] = "Who wrote {0}?",
        [Relation.PublishedBy] = "Who published {0}?",
        [Relation.LocatedIn] = "In which country is {0}?",
        [Relation.Capital] = "What is the capital of {0}?",
    };

    private static readonly (Relation First, Relation Second, string Template)[] TwoHopTemplates =
    [
        (Relation.WrittenBy, Relation.BornIn, "Where was the author of {0} born?"),
        (Relation.WrittenBy, Relation.WorksFor, "Which organisation does the author of {0} work for?"),
        (Relation.PublishedBy, Relation.HeadquarteredIn, "In which city is the publisher of {0} headquartered?"),
        (Relation.PublishedBy, Relation.FoundedBy, "Who founded the publisher of {0}?"),
        (Relation.BornIn, Relation.LocatedIn, "In which country was {0} born?"),
        (Relation.WorksFor, Relation.HeadquarteredIn, "In which city is the employer of {0} headquartered?"),
        (Relation.WorksFor, Relation.FoundedBy, "Who founded the employer of {0}?"),
        (Relation.HeadquarteredIn, Relation.LocatedIn, "In which country is {0} headquartered?"),
        (Relation.FoundedBy, Relation.BornIn, "Where was the founder of {0} born?"),
        (Relation.FoundedBy, Relation.WorksFor, "Which organisation does the founder of {0} work for?"),
    ];

    /// <summary>Every question of <paramref name="corpus"/>, single-hop ones first, in entity order.</summary>
    public static IEnumerable<SearchQuestion> All(KnowledgeCorpus corpus)
    {
        foreach (var entity in corpus.Entities)
            foreach (var (relation, target) in entity.Facts)
                yield return new SearchQuestion(string.Format(SingleTemplates[relation], entity.Name), [target.Name], SingleHop, [entity.Name]);
        foreach (var entity in corpus.Entities)
            foreach (var (first, second, template) in TwoHopTemplates)
                if (entity.Facts.TryGetValue(first, out var bridge) && bridge.Facts.TryGetValue(second, out var answer))
                    yield return new SearchQuestion(string.Format(template, entity.Name), [answer.Name], TwoHop, [entity.Name, bridge.Name]);
    }
}
