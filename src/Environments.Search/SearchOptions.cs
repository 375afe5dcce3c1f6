namespace GiGpoNet.Environments.Search;

/// <summary>Options of the built-in <c>search</c> environment, bound from <c>Environments:search</c>.</summary>
public sealed class SearchOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Environments:search";

    /// <summary>The search engine. Default <see cref="SearchRetriever.Builtin"/>.</summary>
    public SearchRetriever Retriever { get; set; } = SearchRetriever.Builtin;

    /// <summary>The retrieval endpoint when <see cref="Retriever"/> is <see cref="SearchRetriever.Remote"/>. Default <c>http://127.0.0.1:8000/retrieve</c> (Search-R1's).</summary>
    public string RetrieverUrl { get; set; } = "http://127.0.0.1:8000/retrieve";

    /// <summary>Time-out of one retrieval request, in seconds. Default 30.</summary>
    public double RetrieverTimeoutSeconds { get; set; } = 30;

    /// <summary>Retries of a retrieval request after a connection error, a time-out or a 5xx answer, with exponential back-off. Default 3.</summary>
    public int RetrieverRetries { get; set; } = 3;

    /// <summary>
    /// How long a remote query waits for others to share its request, in milliseconds: the trajectories of a rollout search together,
    /// so their queries travel as one batch. Default 5; 0 sends each query alone.
    /// </summary>
    public int RetrieverBatchWindowMilliseconds { get; set; } = 5;

    /// <summary>Passages shown per search. Default 3 (Search-R1's).</summary>
    public int TopK { get; set; } = 3;

    /// <summary>Actions per episode; an episode that has not answered by then ends unanswered (reward 0). Default 4.</summary>
    public int MaxTurns { get; set; } = 4;

    /// <summary>The seed of the generated corpus and its questions. Default 1.</summary>
    public int CorpusSeed { get; set; } = 1;

    /// <summary>Where the built-in corpus's index is cached. Default <c>gigpo/search-index</c> under the user's local application data.</summary>
    public string? IndexDirectory { get; set; }

    /// <summary>
    /// A question file to use instead of the generated questions: JSON Lines with <c>question</c> and <c>golden_answers</c>
    /// (Search-R1's and FlashRAG's NQ and HotpotQA format), optionally <c>type</c> and <c>split</c>. Default: the generated questions.
    /// </summary>
    public string? Questions { get; set; }

    /// <summary>The problems with these values, one line each naming the key.</summary>
    public IEnumerable<string> Validate()
    {
        if (!Enum.IsDefined(Retriever)) yield return $"{SectionName}:{nameof(Retriever)} must be one of {string.Join(", ", Enum.GetNames<SearchRetriever>())}.";
        if (Retriever == SearchRetriever.Remote
            && (!Uri.TryCreate(RetrieverUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
            yield return $"{SectionName}:{nameof(RetrieverUrl)} = '{RetrieverUrl}' is not an http(s) address such as http://127.0.0.1:8000/retrieve.";
        if (RetrieverTimeoutSeconds is not (> 0 and <= 3600)) yield return $"{SectionName}:{nameof(RetrieverTimeoutSeconds)} must be in (0, 3600].";
        if (RetrieverRetries is < 0 or > 20) yield return $"{SectionName}:{nameof(RetrieverRetries)} must be in [0, 20].";
        if (RetrieverBatchWindowMilliseconds is < 0 or > 1000) yield return $"{SectionName}:{nameof(RetrieverBatchWindowMilliseconds)} must be in [0, 1000].";
        if (TopK is < 1 or > 50) yield return $"{SectionName}:{nameof(TopK)} must be in [1, 50].";
        if (MaxTurns is < 1 or > 50) yield return $"{SectionName}:{nameof(MaxTurns)} must be in [1, 50].";
        if (Questions is { } questions && !File.Exists(questions))
            yield return $"{SectionName}:{nameof(Questions)} = '{questions}' does not exist; give a JSON Lines file of question and golden_answers, or unset it.";
    }
}
