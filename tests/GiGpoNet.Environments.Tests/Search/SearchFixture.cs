using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Corpus;
using GiGpoNet.Environments.Search.Retrieval;

namespace GiGpoNet.Environments.Tests.Search;

/// <summary>The generated corpus of seed 1, its questions and its BM25 index (in a temporary folder), shared by the search tests.</summary>
internal static class SearchFixture
{
    private static readonly Lazy<(KnowledgeCorpus Corpus, SearchTasks Tasks, LuceneRetriever Retriever)> Shared = new(() =>
    {
        var corpus = KnowledgeCorpus.Generate(1);
        var folder = Path.Combine(Path.GetTempPath(), $"gigpo-search-tests-{Environment.ProcessId}");
        return (corpus, SearchTasks.Create(null, () => corpus), LuceneRetriever.ForCorpus(corpus, folder));
    });

    public static KnowledgeCorpus Corpus => Shared.Value.Corpus;

    public static SearchTasks Tasks => Shared.Value.Tasks;

    public static LuceneRetriever Retriever => Shared.Value.Retriever;

    public static SearchEnvironment Create(SearchOptions? options = null, IRetriever? retriever = null, SearchTasks? tasks = null) =>
        new(options ?? new SearchOptions(), tasks ?? Tasks, retriever ?? Retriever);
}
