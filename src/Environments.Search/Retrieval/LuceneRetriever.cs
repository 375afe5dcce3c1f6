using System.Globalization;
using GiGpoNet.Environments.Search.Corpus;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;

namespace GiGpoNet.Environments.Search.Retrieval;

/// <summary>
/// BM25 (k1 1.2, b 0.75, Lucene's defaults) over a corpus indexed by <see cref="LuceneIndex"/>: the query is analysed like the
/// documents (standard tokenizer, lower case, English stop words) and each of its terms is looked up in the title (boost 2) and
/// the text. Searching is thread-safe.
/// </summary>
internal sealed class LuceneRetriever : IRetriever, IDisposable
{
    /// <summary>Query terms beyond this many are ignored (Lucene refuses more than 1,024 clauses).</summary>
    private const int MaxQueryTerms = 64;

    private readonly Lucene.Net.Store.Directory _index;
    private readonly DirectoryReader _reader;
    private readonly IndexSearcher _searcher;
    private readonly Analyzer _analyzer = new StandardAnalyzer(LuceneIndex.Version);

    /// <summary>A retriever over <paramref name="index"/>, which it owns and disposes.</summary>
    public LuceneRetriever(Lucene.Net.Store.Directory index)
    {
        _index = index;
        _reader = DirectoryReader.Open(index);
        _searcher = new IndexSearcher(_reader) { Similarity = new BM25Similarity() };
    }

    /// <summary>A retriever over the built-in corpus, its index cached under <paramref name="cacheDirectory"/>.</summary>
    public static LuceneRetriever ForCorpus(KnowledgeCorpus corpus, string cacheDirectory) => new(LuceneIndex.OpenOrBuild(corpus, cacheDirectory));

    /// <summary>Number of indexed documents.</summary>
    public int Documents => _reader.NumDocs;

    public Task<IReadOnlyList<IReadOnlyList<Passage>>> RetrieveAsync(IReadOnlyList<string> queries, int topK, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        return Task.FromResult<IReadOnlyList<IReadOnlyList<Passage>>>([.. queries.Select(q => Search(q, topK))]);
    }

    public IReadOnlyList<Passage> Search(string query, int topK)
    {
        var terms = Terms(query ?? string.Empty);
        if (terms.Count == 0) return [];
        var boolean = new BooleanQuery();
        foreach (var term in terms)
        {
            boolean.Add(new TermQuery(new Term(LuceneIndex.TitleField, term)) { Boost = 2 }, Occur.SHOULD);
            boolean.Add(new TermQuery(new Term(LuceneIndex.TextField, term)), Occur.SHOULD);
        }
        var hits = _searcher.Search(boolean, topK).ScoreDocs;
        return [.. hits.Select(hit =>
        {
            var document = _searcher.Doc(hit.Doc);
            return new Passage(document.Get(LuceneIndex.IdField, CultureInfo.InvariantCulture), document.Get(LuceneIndex.TitleField, CultureInfo.InvariantCulture),
                document.Get(LuceneIndex.TextField, CultureInfo.InvariantCulture), hit.Score);
        })];
    }

    private List<string> Terms(string query)
    {
        var terms = new List<string>();
        using var stream = _analyzer.GetTokenStream(LuceneIndex.TextField, new StringReader(query));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken() && terms.Count < MaxQueryTerms) terms.Add(term.ToString());
        stream.End();
        return terms;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _analyzer.Dispose();
        _index.Dispose();
    }
}
