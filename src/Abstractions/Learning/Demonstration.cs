namespace GiGpoNet.Learning;

/// <summary>One expert step to clone: the prompt the policy would have seen and the answer to learn.</summary>
/// <param name="Prompt">The user message (the learner applies its chat template).</param>
/// <param name="Response">The answer text.</param>
public sealed record Demonstration(string Prompt, string Response);
