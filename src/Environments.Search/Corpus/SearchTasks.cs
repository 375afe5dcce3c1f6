namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// The questions of a <c>search</c> run and, when they are the generated ones, the corpus they are about (which lets the
/// environment list the entities that results name as admissible actions, and lets the expert follow a question's path).
/// </summary>
internal sealed class SearchTasks(QuestionSet questions, KnowledgeCorpus? corpus)
{
    public QuestionSet Questions { get; } = questions;

    public KnowledgeCorpus? Corpus { get; } = corpus;

    /// <summary>The questions of a question file when there is one, else the generated questions of <paramref name="corpus"/>.</summary>
    public static SearchTasks Create(QuestionSet? fromFile, Func<KnowledgeCorpus> corpus)
    {
        if (fromFile is not null) return new SearchTasks(fromFile, null);
        var generated = corpus();
        return new SearchTasks(new QuestionSet(QuestionGenerator.All(generated).Select(q => (q, (DatasetSplit?)null))), generated);
    }
}
