namespace GiGpoNet.Environments.Search;

/// <summary>A retrieved passage.</summary>
/// <param name="Id">The document's id in its corpus.</param>
/// <param name="Title">The document's title.</param>
/// <param name="Text">The passage text, without the title.</param>
/// <param name="Score">The retriever's score, where it reports one.</param>
public sealed record Passage(string Id, string Title, string Text, double? Score = null);
