using GiGpoNet.Environments.Search.Retrieval;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace GiGpoNet.Environments.Search;

/// <summary>At start-up, when the run trains on <c>search</c> with the remote retriever: one query to the server, one attempt.</summary>
internal sealed class RemoteRetrieverCheck(IConfiguration configuration, IOptions<SearchOptions> search) : IStartupCheck
{
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var options = search.Value;
        if (!string.Equals(configuration["Training:Environment"], SearchEnvironment.Description.Name, StringComparison.OrdinalIgnoreCase)
            || options.Retriever != SearchRetriever.Remote) return;
        using var retriever = new RemoteRetriever(new SearchOptions
        {
            RetrieverUrl = options.RetrieverUrl, RetrieverRetries = 0, RetrieverTimeoutSeconds = options.RetrieverTimeoutSeconds, RetrieverBatchWindowMilliseconds = 0,
        });
        try
        {
            await retriever.RetrieveAsync(["start-up check"], 1, cancellationToken).ConfigureAwait(false);
        }
        catch (RetrieverException e)
        {
            throw new GiGpoNetConfigurationException(e.Message, e);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
        {
            throw new GiGpoNetConfigurationException($"The retriever at {options.RetrieverUrl} (Environments:search:RetrieverUrl) did not answer ({e.Message}): start it " +
                "(gigpo serve-retriever, or Search-R1's retrieval_server.py), or set Environments:search:Retriever to builtin.", e);
        }
    }
}
