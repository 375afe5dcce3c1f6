namespace GiGpoNet.Environments.Search.Corpus;

/// <summary>
/// The question files read so far, by full path: the start-up check reads a file line by line and the run then uses what it read,
/// so a large file (NQ's 79,000 questions) is parsed once.
/// </summary>
internal sealed class QuestionFileCache
{
    private readonly Dictionary<string, QuestionSet> _read = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <exception cref="GiGpoNetConfigurationException">The file is missing or a line is not a question; the message names it.</exception>
    public QuestionSet Read(string path)
    {
        var key = Path.GetFullPath(path);
        lock (_lock)
        {
            if (!_read.TryGetValue(key, out var questions)) _read[key] = questions = QuestionFile.Read(path);
            return questions;
        }
    }
}
