using GiGpoNet.Environments.Search.Corpus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Environments.Search;

/// <summary>
/// At start-up: the values of <c>Environments:search</c> and every line of its question file (the remote retriever is
/// <see cref="RemoteRetrieverCheck"/>'s).
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
        return ValidateOptionsResult.Success;
    }
}
