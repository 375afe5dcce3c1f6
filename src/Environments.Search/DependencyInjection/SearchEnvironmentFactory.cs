using GiGpoNet.Environments.Search.Corpus;

namespace GiGpoNet.Environments.Search;

/// <summary>Creates <c>search</c> environments that share the question set and the retriever.</summary>
internal sealed class SearchEnvironmentFactory(SearchOptions options, SearchTasks tasks, IRetriever retriever) : IEnvironmentFactory
{
    public EnvironmentDescription Description => SearchEnvironment.Description;

    public IEnvironment Create() => new SearchEnvironment(options, tasks, retriever);
}
