using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Answers;
using GiGpoNet.Environments.Search.Corpus;

namespace GiGpoNet.Environments.Tests.Search;

public sealed class SearchEnvironmentTests
{
    [Test]
    public void The_corpus_has_a_few_thousand_documents_and_both_question_types_in_every_split()
    {
        Assert.That(SearchFixture.Corpus.Entities, Has.Count.InRange(1500, 5000));
        Assert.That(SearchFixture.Retriever.Documents, Is.EqualTo(SearchFixture.Corpus.Entities.Count));
        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            var types = SearchFixture.Tasks.Questions.InSplit(split).GroupBy(q => q.Type).ToDictionary(g => g.Key, g => g.Count());
            TestContext.Out.WriteLine($"{split}: {string.Join(", ", types.Select(t => $"{t.Key} {t.Value}"))}");
            Assert.That(types.Keys, Is.EquivalentTo(new[] { QuestionGenerator.SingleHop, QuestionGenerator.TwoHop }));
            Assert.That(types.Values, Has.All.GreaterThan(200));
        }
        Assert.That(KnowledgeCorpus.Generate(1).Entities.Select(KnowledgeCorpus.DocumentText), Is.EqualTo(SearchFixture.Corpus.Entities.Select(KnowledgeCorpus.DocumentText)),
            "the same seed gives the same corpus");
    }

    [Test]
    public void Train_validation_and_test_share_no_question()
    {
        var splits = Enum.GetValues<DatasetSplit>().ToDictionary(s => s, s => SearchFixture.Tasks.Questions.InSplit(s).Select(q => AnswerMatching.Normalize(q.Text)).ToHashSet());
        Assert.That(splits[DatasetSplit.Train].Overlaps(splits[DatasetSplit.Test]), Is.False);
        Assert.That(splits[DatasetSplit.Train].Overlaps(splits[DatasetSplit.Validation]), Is.False);
        Assert.That(splits[DatasetSplit.Validation].Overlaps(splits[DatasetSplit.Test]), Is.False);
        Assert.That(splits.Values.Sum(s => s.Count), Is.EqualTo(SearchFixture.Tasks.Questions.Count), "every question is in exactly one split");
    }

    [Test]
    public async Task The_expert_answers_every_held_out_question_with_admissible_actions_within_the_turn_limit()
    {
        foreach (var split in (DatasetSplit[])[DatasetSplit.Validation, DatasetSplit.Test])
        {
            var questions = SearchFixture.Tasks.Questions.InSplit(split).ToList();
            var solved = 0;
            // Each question once: a question set that holds only it.
            foreach (var question in questions)
            {
                var tasks = new SearchTasks(new QuestionSet([(question, split)]), SearchFixture.Corpus);
                await using var environment = SearchFixture.Create(tasks: tasks);
                var observation = await environment.ResetAsync(new EnvironmentReset(0, split));
                for (var turn = 0; turn < new SearchOptions().MaxTurns; turn++)
                {
                    var action = environment.ExpertAction()!;
                    Assert.That(observation.AdmissibleActions, Does.Contain(action), question.Text);
                    var step = await environment.StepAsync(action);
                    observation = step.Observation;
                    if (!step.Done) continue;
                    if (step.Won) solved++;
                    Assert.That(step.Reward, Is.EqualTo(step.Won ? 10 : 0));
                    break;
                }
            }
            Assert.That(solved, Is.EqualTo(questions.Count), $"{split}: the expert solved {solved} of {questions.Count}");
        }
    }

    [Test]
    public async Task Members_that_make_the_same_query_reach_the_same_state_and_different_queries_differ()
    {
        await using var a = SearchFixture.Create();
        await using var b = SearchFixture.Create();
        await using var c = SearchFixture.Create();
        var reset = new EnvironmentReset(7, DatasetSplit.Train);
        var start = await a.ResetAsync(reset);
        await b.ResetAsync(reset);
        await c.ResetAsync(reset);
        Assert.That(start.Text, Does.StartWith("Question: ").And.Contain("No search yet."));
        var subject = a.ExpertAction()!;
        var sa = await a.StepAsync(subject);
        var sb = await b.StepAsync(subject);
        var sc = await c.StepAsync($"search[{start.Task}]");
        Assert.That(sb.Observation.Text, Is.EqualTo(sa.Observation.Text));
        Assert.That(sc.Observation.Text, Is.Not.EqualTo(sa.Observation.Text));
        Assert.That(sa.Observation.Text, Does.Contain("Doc 1 (Title: ").And.Contain("Doc 3 (Title: "));
    }

    [Test]
    public async Task A_wrong_answer_scores_zero_and_an_unanswered_episode_ends_at_the_turn_limit()
    {
        await using var environment = SearchFixture.Create(new SearchOptions { MaxTurns = 2 });
        await environment.ResetAsync(new EnvironmentReset(3, DatasetSplit.Train));
        var first = await environment.StepAsync("look around");
        Assert.That(first.Done, Is.False);
        var last = await environment.StepAsync("search[nothing in particular]");
        Assert.That((last.Done, last.Won, last.Reward), Is.EqualTo((true, false, 0.0)));

        await environment.ResetAsync(new EnvironmentReset(3, DatasetSplit.Train));
        var wrong = await environment.StepAsync("answer[Nobody]");
        Assert.That((wrong.Done, wrong.Won, wrong.Reward, wrong.Score), Is.EqualTo((true, false, 0.0, 0.0)));
    }

    [TestCase("The Orvan Institute", "orvan institute", true)]
    [TestCase("  Tessaburg. ", "Tessaburg", true)]
    [TestCase("an apple", "Apple!", true)]
    [TestCase("Orvan", "Orvan Institute", false)]
    public void Exact_match_normalizes_case_punctuation_articles_and_spaces(string prediction, string gold, bool match)
    {
        Assert.That(AnswerMatching.ExactMatch(prediction, [gold]), Is.EqualTo(match));
        Assert.That(AnswerMatching.F1(prediction, [gold]), match ? Is.EqualTo(1.0) : Is.InRange(0.01, 0.99));
    }

    [Test]
    public async Task The_answer_is_rewarded_10_after_normalization()
    {
        await using var environment = SearchFixture.Create();
        await environment.ResetAsync(new EnvironmentReset(11, DatasetSplit.Test));
        string action;
        while (!(action = environment.ExpertAction()!).StartsWith("answer[", StringComparison.Ordinal)) await environment.StepAsync(action);
        var gold = action["answer[".Length..^1];
        var step = await environment.StepAsync($"answer[the {gold.ToUpperInvariant()}.]");
        Assert.That((step.Won, step.Reward, step.Score), Is.EqualTo((true, 10.0, 1.0)));
    }
}
