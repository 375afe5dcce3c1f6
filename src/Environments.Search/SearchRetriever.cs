namespace GiGpoNet.Environments.Search;

/// <summary>Which search engine the <c>search</c> environment asks.</summary>
public enum SearchRetriever
{
    /// <summary>BM25 over the generated corpus, through Lucene.Net, its index cached on disk.</summary>
    Builtin,

    /// <summary>
    /// A retrieval server that speaks Search-R1's API (<c>POST /retrieve</c> with <c>queries</c> and <c>topk</c>) at
    /// <see cref="SearchOptions.RetrieverUrl"/>: an E5/FAISS Wikipedia server, or <c>gigpo serve-retriever</c>.
    /// </summary>
    Remote,
}
