using System.Security.Cryptography;
using System.Text;
using GiGpoNet.Environments.Search.Corpus;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace GiGpoNet.Environments.Search.Retrieval;

/// <summary>
/// The Lucene index of a generated corpus, built once and cached on disk in a folder named by the corpus seed and a hash of its
/// documents (so that a changed generator never reads a stale index). It is built in a temporary folder and renamed into place, so
/// that processes that start together (a grid's cells) never read a half-written index.
/// </summary>
internal static class LuceneIndex
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;
    public const string IdField = "id";
    public const string TitleField = "title";
    public const string TextField = "text";

    /// <summary>The default cache: <c>gigpo/search-index</c> under the user's local application data (or the temporary folder).</summary>
    public static string DefaultCacheDirectory
    {
        get
        {
            var root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            return Path.Combine(string.IsNullOrEmpty(root) ? Path.GetTempPath() : root, "gigpo", "search-index");
        }
    }

    /// <summary>The cached index of <paramref name="corpus"/>, built first if missing.</summary>
    public static FSDirectory OpenOrBuild(KnowledgeCorpus corpus, string cacheDirectory)
    {
        var folder = Path.Combine(cacheDirectory, $"corpus-seed{corpus.Seed}-{Fingerprint(corpus)}");
        if (!System.IO.Directory.Exists(folder))
        {
            System.IO.Directory.CreateDirectory(cacheDirectory);
            var staging = $"{folder}.building-{Guid.NewGuid():N}";
            using (var directory = FSDirectory.Open(staging)) Write(corpus, directory);
            try
            {
                System.IO.Directory.Move(staging, folder);
            }
            catch (IOException) when (System.IO.Directory.Exists(folder))
            {
                System.IO.Directory.Delete(staging, recursive: true); // another process finished the same index first
            }
        }
        return FSDirectory.Open(folder);
    }

    /// <summary>Writes one document per entity.</summary>
    public static void Write(KnowledgeCorpus corpus, Lucene.Net.Store.Directory directory)
    {
        var config = new IndexWriterConfig(Version, new StandardAnalyzer(Version)) { OpenMode = OpenMode.CREATE, Similarity = new BM25Similarity() };
        using var writer = new IndexWriter(directory, config);
        foreach (var entity in corpus.Entities)
            writer.AddDocument(new Document
            {
                new StringField(IdField, entity.Id, Field.Store.YES),
                new Lucene.Net.Documents.TextField(TitleField, entity.Name, Field.Store.YES),
                new Lucene.Net.Documents.TextField(TextField, KnowledgeCorpus.DocumentText(entity), Field.Store.YES),
            });
        writer.Commit();
    }

    private static string Fingerprint(KnowledgeCorpus corpus)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var entity in corpus.Entities) hash.AppendData(Encoding.UTF8.GetBytes($"{entity.Id}\t{entity.Name}\t{KnowledgeCorpus.DocumentText(entity)}\n"));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..12];
    }
}
