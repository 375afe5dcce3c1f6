using System.Text;

namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// Questions split three ways by a stable hash of their normalized text (80% train, 10% validation, 10% test, unless a question
/// file names the split), so that no question is in two splits. A task seed picks a question type uniformly, then a question of it.
/// </summary>
internal sealed class QuestionSet
{
    private readonly Dictionary<DatasetSplit, IReadOnlyList<IReadOnlyList<SearchQuestion>>> _byTypeAndSplit;

    public QuestionSet(IEnumerable<(SearchQuestion Question, DatasetSplit? Split)> questions)
    {
        var list = questions.Select(q => (q.Question, Split: q.Split ?? SplitOf(q.Question))).ToList();
        Types = [.. list.Select(q => q.Question.Type).Distinct(StringComparer.Ordinal)];
        _byTypeAndSplit = Enum.GetValues<DatasetSplit>().ToDictionary(split => split, split => (IReadOnlyList<IReadOnlyList<SearchQuestion>>)
            [.. Types.Select(type => (IReadOnlyList<SearchQuestion>)[.. list.Where(q => q.Question.Type == type && q.Split == split).Select(q => q.Question)])
                .Where(pool => pool.Count > 0)]);
        Count = list.Count;
    }

    /// <summary>The question types, in order of first appearance.</summary>
    public IReadOnlyList<string> Types { get; }

    /// <summary>How many questions there are in all splits.</summary>
    public int Count { get; }

    /// <summary>How many questions <paramref name="split"/> has.</summary>
    public int CountOf(DatasetSplit split) => _byTypeAndSplit[split].Sum(pool => pool.Count);

    /// <summary>The questions of <paramref name="split"/>.</summary>
    public IEnumerable<SearchQuestion> InSplit(DatasetSplit split) => _byTypeAndSplit[split].SelectMany(pool => pool);

    /// <summary>The question of task <paramref name="reset"/>.</summary>
    public SearchQuestion For(EnvironmentReset reset)
    {
        var pools = _byTypeAndSplit[reset.Split];
        if (pools.Count == 0)
            throw new InvalidOperationException($"The search environment has no {reset.Split.ToString().ToLowerInvariant()} questions; " +
                                                "give the question file more questions, or questions of that split.");
        var random = new Random(TaskSeeds.For(reset.TaskSeed, reset.Split));
        var pool = pools[random.Next(pools.Count)];
        return pool[random.Next(pool.Count)];
    }

    /// <summary>The split of a question without one: FNV-1a of its normalized text, modulo 10.</summary>
    public static DatasetSplit SplitOf(SearchQuestion question)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(Answers.AnswerMatching.Normalize(question.Text))) hash = (hash ^ b) * 16777619u;
        return (hash % 10) switch { 0 => DatasetSplit.Test, 1 => DatasetSplit.Validation, _ => DatasetSplit.Train };
    }
}
