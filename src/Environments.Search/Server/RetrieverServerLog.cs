using Microsoft.Extensions.Logging;

namespace GiGpoNet.Environments.Search.Server;

/// <summary>The retrieval server's log events.</summary>
internal static partial class RetrieverServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Refused a request to {Path}: {Problem}")]
    public static partial void Rejected(ILogger logger, string path, string problem);
}
