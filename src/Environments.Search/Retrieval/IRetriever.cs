namespace GiGpoNet.Environments.Search;

/// <summary>
/// The search engine behind the <c>search</c> environment: the top passages for each query of a batch. The built-in ones are BM25
/// over the generated corpus (Lucene.Net) and a client of Search-R1's retrieval server; register another implementation of this
/// interface before <c>AddSearchEnvironment()</c> to use your own.
/// </summary>
public interface IRetriever
{
    /// <summary>The best <paramref name="topK"/> passages for each of <paramref name="queries"/>, best first; one list per query, in order.</summary>
    Task<IReadOnlyList<IReadOnlyList<Passage>>> RetrieveAsync(IReadOnlyList<string> queries, int topK, CancellationToken cancellationToken = default);
}
