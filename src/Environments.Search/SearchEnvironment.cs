using System.Globalization;
using System.Text;
using GiGpoNet.Environments.Search.Answers;
using GiGpoNet.Environments.Search.Corpus;

namespace GiGpoNet.Environments.Search;

/// <summary>
/// <c>search</c>: question answering with a search engine, in the style of Search-R1 and verl-agent's search environment. The agent
/// alternates <c>search[query]</c>, which shows the top passages, with <c>answer[text]</c>, which ends the episode with reward 10 ×
/// exact match (task score: token F1). The observation is the question and the last results, so the states of a group recur exactly
/// when the same query was made. Over the generated corpus the admissible actions are searches for the question and for each entity
/// the question or the results name, and answers naming each entity in the results.
/// </summary>
internal sealed class SearchEnvironment(SearchOptions options, SearchTasks tasks, IRetriever retriever) : IEnvironment, IExpertEnvironment
{
    private SearchQuestion? _question;
    private IReadOnlyList<Passage> _results = [];
    private string? _lastQuery;
    private int _turns;
    private bool _done;

    /// <summary>The environment's description.</summary>
    public static EnvironmentDescription Description { get; } = new(
        "search", 4, [QuestionGenerator.SingleHop, QuestionGenerator.TwoHop],
        "You are an expert agent answering questions with a search engine.");

    public ValueTask<EnvironmentObservation> ResetAsync(EnvironmentReset reset, CancellationToken cancellationToken = default)
    {
        _question = tasks.Questions.For(reset);
        _results = [];
        _lastQuery = null;
        _turns = 0;
        _done = false;
        return ValueTask.FromResult(Observe());
    }

    public async ValueTask<EnvironmentStep> StepAsync(string action, CancellationToken cancellationToken = default)
    {
        var question = _question ?? throw new InvalidOperationException("Call ResetAsync before StepAsync.");
        if (_done) throw new InvalidOperationException("The episode is over; call ResetAsync to start another.");
        _turns++;
        var text = (action ?? string.Empty).Trim();
        if (Argument(text, "answer") is { } answer)
        {
            _done = true;
            var correct = AnswerMatching.ExactMatch(answer, question.Answers);
            var f1 = AnswerMatching.F1(answer, question.Answers);
            var closing = $"Question: {question.Text}\nYour answer: {answer}. Exact match: {(correct ? "yes" : "no")}.";
            return new EnvironmentStep(new EnvironmentObservation(closing, Task(question), question.Type, []), correct ? 10 : 0, Done: true, Won: correct, Score: f1);
        }
        if (Argument(text, "search") is { Length: > 0 } query)
        {
            _results = (await retriever.RetrieveAsync([query], options.TopK, cancellationToken).ConfigureAwait(false)) is [var passages] ? passages
                : throw new InvalidOperationException("The retriever answered a different number of result lists than queries.");
            _lastQuery = query;
        }
        if (_turns >= options.MaxTurns)
        {
            _done = true;
            return new EnvironmentStep(new EnvironmentObservation($"Question: {question.Text}\nOut of turns without an answer.", Task(question), question.Type, []),
                0, Done: true, Won: false, Score: 0);
        }
        return new EnvironmentStep(Observe(), 0, false, false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A reader's queries: the question's subject, then the entity its document names that the question asks about (two-hop), then
    /// the answer once the document that states it is shown. For questions from a file, whose path is unknown: the question itself,
    /// then the first golden answer.
    /// </remarks>
    public string? ExpertAction()
    {
        var question = _question ?? throw new InvalidOperationException("Call ResetAsync first.");
        if (question.Path.Count == 0) return _lastQuery is null ? Search(question.Text) : Answer(question.Answers[0]);
        var shown = _results.Select(p => p.Title).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (shown.Contains(question.Path[^1])) return Answer(question.Answers[0]);
        for (var i = question.Path.Count - 2; i >= 0; i--)
            if (shown.Contains(question.Path[i])) return Search(question.Path[i + 1]);
        return Search(question.Path[0]);
    }

    private EnvironmentObservation Observe()
    {
        var question = _question!;
        var text = new StringBuilder("Question: ").Append(question.Text).Append('\n');
        if (_lastQuery is null) text.Append("No search yet.");
        else if (_results.Count == 0) text.Append(CultureInfo.InvariantCulture, $"Search results for \"{_lastQuery}\": none.");
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"Search results for \"{_lastQuery}\":");
            for (var i = 0; i < _results.Count; i++) text.Append(CultureInfo.InvariantCulture, $"\nDoc {i + 1} (Title: {_results[i].Title}) {_results[i].Text}");
        }
        return new EnvironmentObservation(text.ToString(), Task(question), question.Type, Admissible(question));
    }

    /// <summary>Over the generated corpus: search the question or a named entity, or answer with an entity the results name.</summary>
    private List<string>? Admissible(SearchQuestion question)
    {
        if (tasks.Corpus is not { } corpus) return null;
        var named = _results.Select(p => corpus.ById(p.Id)).OfType<Corpus.Entity>().SelectMany(KnowledgeCorpus.Mentions).Select(e => e.Name)
            .Distinct(StringComparer.Ordinal).ToList();
        var searches = question.Path.Take(1).Concat(named).Distinct(StringComparer.Ordinal).Select(Search);
        return [Search(question.Text), .. searches, .. named.Select(Answer)];
    }

    // The listed actions put a space after the bracket, as Search-R1 puts spaces inside its tags: a word-level tokenizer then
    // reads a name in an action as the same word it read in the results. Actions without the space are accepted alike.
    private static string Search(string query) => $"search[ {query}]";

    private static string Answer(string text) => $"answer[ {text}]";

    private static string Task(SearchQuestion question) => $"answer the question \"{question.Text}\"";

    /// <summary>The text inside <c>verb[...]</c>, or null when <paramref name="action"/> is not that verb.</summary>
    private static string? Argument(string action, string verb) =>
        action.Length > verb.Length + 1 && action.StartsWith(verb + "[", StringComparison.OrdinalIgnoreCase) && action.EndsWith(']')
            ? action[(verb.Length + 1)..^1].Trim()
            : null;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
