using GiGpoNet;
using GiGpoNet.Environments;
using GiGpoNet.Environments.Search;
using GiGpoNet.Environments.Search.Corpus;
using GiGpoNet.Environments.Search.Retrieval;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the built-in <c>search</c> environment.</summary>
public static class SearchEnvironmentBuilderExtensions
{
    /// <summary>
    /// Registers <c>search</c> (Search-R1-style question answering), configured by <c>Environments:search</c> (<see cref="SearchOptions"/>;
    /// unknown keys are errors) and validated at start-up: a question file is read whole, and a remote retriever must answer a query
    /// when the run trains on <c>search</c>. Its search engine is the <see cref="IRetriever"/> registered before this call, else the one
    /// <see cref="SearchOptions.Retriever"/> names.
    /// </summary>
    public static IGiGpoNetBuilder AddSearchEnvironment(this IGiGpoNetBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var name = SearchEnvironment.Description.Name;
        if (!EnvironmentRegistry.From(builder.Services).TryAdd(new EnvironmentRegistration(name, typeof(SearchEnvironment), SearchEnvironment.Description)
            {
                OptionsType = typeof(SearchOptions),
            }))
            return builder;
        var services = builder.Services;
        services.AddOptions<SearchOptions>()
            .Configure(o => StrictConfigurationBinder.Bind(builder.Configuration.GetSection(SearchOptions.SectionName), o))
            .ValidateOnStart();
        var questionFiles = new QuestionFileCache();
        services.AddSingleton<IValidateOptions<SearchOptions>>(new SearchOptionsValidator(builder.Configuration, questionFiles));
        services.AddSingleton<IStartupCheck>(sp => new RemoteRetrieverCheck(builder.Configuration, sp.GetRequiredService<IOptions<SearchOptions>>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<SearchOptions>>().Value);
        services.TryAddSingleton(sp => KnowledgeCorpus.Generate(sp.GetRequiredService<SearchOptions>().CorpusSeed));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<SearchOptions>();
            return SearchTasks.Create(options.Questions is { } file ? questionFiles.Read(file) : null, sp.GetRequiredService<KnowledgeCorpus>);
        });
        services.TryAddSingleton<IRetriever>(sp =>
        {
            var options = sp.GetRequiredService<SearchOptions>();
            return options.Retriever == SearchRetriever.Remote
                ? new RemoteRetriever(options)
                : LuceneRetriever.ForCorpus(sp.GetRequiredService<KnowledgeCorpus>(), options.IndexDirectory ?? LuceneIndex.DefaultCacheDirectory);
        });
        services.AddKeyedSingleton<IEnvironmentFactory>(name, (sp, _) => new SearchEnvironmentFactory(
            sp.GetRequiredService<SearchOptions>(), sp.GetRequiredService<SearchTasks>(), sp.GetRequiredService<IRetriever>()));
        return builder;
    }
}
