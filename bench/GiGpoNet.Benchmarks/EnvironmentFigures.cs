using System.Diagnostics;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Diagnostics;
using GiGpoNet.Environments.Household;
using GiGpoNet.Environments.Rollouts;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Corpus;
using GiGpoNet.Environments.Search.Retrieval;
using GiGpoNet.Environments.Shop;
using GiGpoNet.Environments.Sokoban;
using GiGpoNet.Policies;
using GiGpoNet.Rollouts;

namespace GiGpoNet.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project bench/GiGpoNet.Benchmarks -- env</c>: per built-in environment, single-threaded environment
/// steps per second and the recurring-state fraction under a uniformly random admissible policy, and the rollout loop's steps per
/// second with a trivial (constant-answer) policy.
/// </summary>
public static class EnvironmentFigures
{
    private sealed class ConstantPolicy(string answer) : IPolicy
    {
        public ValueTask<IReadOnlyList<PolicyGeneration>> GenerateAsync(IReadOnlyList<PolicyPrompt> prompts, GenerationSettings settings,
            CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IReadOnlyList<PolicyGeneration>>([.. prompts.Select(_ => new PolicyGeneration(answer, [], [], [], false))]);
    }

    public static async Task RunAsync(TextWriter output)
    {
        // search: BM25 over the generated corpus, its index in a temporary folder (built once, as a run's cache is).
        var corpus = KnowledgeCorpus.Generate(1);
        var tasks = SearchTasks.Create(null, () => corpus);
        var index = Path.Combine(Path.GetTempPath(), "gigpo-bench-search-index");
        using var retriever = LuceneRetriever.ForCorpus(corpus, index);
        var searchOptions = new SearchOptions();
        (EnvironmentDescription Description, Func<IEnvironment> Create, string Answer)[] environments =
        [
            (HouseholdEnvironment.Description, () => new HouseholdEnvironment(), "<think>.</think><action>look</action>"),
            (ShopEnvironment.Description, () => new ShopEnvironment(), "<think>.</think><action>search[red running shoes]</action>"),
            (SokobanEnvironment.Description, () => new SokobanEnvironment(), "<think>.</think><action>up</action>"),
            (SearchEnvironment.Description, () => new SearchEnvironment(searchOptions, tasks, retriever), "<think>.</think><action>search[harbor bank]</action>"),
        ];
        await output.WriteLineAsync("| environment | env steps/s (random policy, 1 thread) | recurring-state fraction | random success | rollout-loop steps/s (trivial policy) |");
        await output.WriteLineAsync("|---|---:|---:|---:|---:|");
        foreach (var (description, create, answer) in environments)
        {
            await RandomAdmissibleAgent.RunAsync(create, 2, 2, description.DefaultMaxSteps, seed: 1); // warm-up (JIT)
            var report = await RandomAdmissibleAgent.RunAsync(create, 64, 8, description.DefaultMaxSteps, seed: 7);

            var options = new RolloutOptions();
            var source = new EnvironmentRolloutSource(new DelegateEnvironmentFactory(description, create), options, new AgentPromptBuilder(options),
                new TagActionParser(options), new SimpleEpisodeMemoryFactory());
            var policy = new ConstantPolicy(answer);
            await source.CollectAsync(policy, new RolloutRequest(2, 2, DatasetSplit.Train, 1));
            var clock = Stopwatch.StartNew();
            var rows = 0;
            for (var i = 0; i < 3; i++) rows += (await source.CollectAsync(policy, new RolloutRequest(16, 8, DatasetSplit.Train, 100 + i))).Batch.RowCount;
            clock.Stop();

            await output.WriteLineAsync(
                $"| {description.Name} | {report.StepsPerSecond:N0} | {report.RecurringFraction:P1} | {report.SuccessRate:P1} | {rows / clock.Elapsed.TotalSeconds:N0} |");
        }
    }
}
