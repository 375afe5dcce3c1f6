using GiGpoNet.Environments.Search.Corpus;
using GiGpoNet.Environments.Search.Retrieval;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Environments.Search;

/// <summary>
/// At start-up: the values of <c>Environments:search</c>, every line of its question file, and, when the run trains on <c>search</c>
/// with the remote retriever, one query to the server.
/// </summary>
internal sealed class SearchOptionsValidator(IConfiguration configuration, QuestionFileCache questionFiles) : IValidateOptions<SearchOptions>
{
    public ValidateOptionsResult Validate(string? name, SearchOptions options)
    {
        var failures = options.Validate().ToList();
        if (failures.Count > 0) return ValidateOptionsResult.Fail(failures);
        var selected = string.Equals(configuration["Training:Environment"], SearchEnvironment.Description.Name, StringComparison.OrdinalIgnoreCase);
        try
        {
            var set = options.Questions is { } questions ? questionFiles.Read(questions) : null;
            DatasetSplit[] needed = [DatasetSplit.Train, DatasetSplit.Validation];
            if (set is not null && selected && needed.Where(s => set.CountOf(s) == 0).ToList() is [var empty, ..])
                return ValidateOptionsResult.Fail($"Environments:search:Questions = '{options.Questions}' holds no {empty.ToString().ToLowerInvariant()} questions " +
                    $"(train {set.CountOf(DatasetSplit.Train)}, validation {set.CountOf(DatasetSplit.Validation)}, test {set.CountOf(DatasetSplit.Test)}), " +
                    "which training and its evaluations draw from: give questions of that \"split\", or leave \"split\" out (80/10/10 by a hash of the text).");
        }
        catch (GiGpoNetConfigurationException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
        return selected && options.Retriever == SearchRetriever.Remote && Probe(options) is { } problem
            ? ValidateOptionsResult.Fail(problem)
            : ValidateOptionsResult.Success;
    }

    /// <summary>One query, one attempt: null when the server answered within the API.</summary>
    private static string? Probe(SearchOptions options)
    {
        using var retriever = new RemoteRetriever(new SearchOptions
        {
            RetrieverUrl = options.RetrieverUrl, RetrieverRetries = 0, RetrieverTimeoutSeconds = options.RetrieverTimeoutSeconds, RetrieverBatchWindowMilliseconds = 0,
        });
        try
        {
            retriever.RetrieveAsync(["start-up check"], 1).GetAwaiter().GetResult();
            return null;
        }
        catch (RetrieverException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            return $"The retriever at {options.RetrieverUrl} (Environments:search:RetrieverUrl) did not answer ({e.Message}): start it (gigpo serve-retriever, or " +
                   "Search-R1's retrieval_server.py), or set Environments:search:Retriever to builtin.";
        }
    }
}
