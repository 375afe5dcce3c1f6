namespace GiGpoNet.Environments.Search;

/// <summary>A question of the search environment.</summary>
/// <param name="Text">The question.</param>
/// <param name="Answers">Every accepted answer (exact match after normalization against any of them).</param>
/// <param name="Type">The question type, for per-type success (<c>single_hop</c>, <c>two_hop</c>, or a question file's own).</param>
/// <param name="Path">
/// For the built-in corpus, the entities a reader searches in turn: the question's subject, then (two-hop) the bridge entity its
/// document names. Empty for questions from a file.
/// </param>
internal sealed record SearchQuestion(string Text, IReadOnlyList<string> Answers, string Type, IReadOnlyList<string> Path);
