namespace GiGpoNet;

/// <summary>A policy chosen from <see cref="AgentContext.Policies"/>: the model trained and, optionally, what generates the rollouts.</summary>
/// <param name="Description">What it is, for messages ("from scratch", "the pretrained model in 'models/qwen'").</param>
/// <param name="Settings">Configuration keys and values (<c>Policy:...</c>, <c>Training:Policy</c>, <c>Policies:openai:...</c>).</param>
public sealed record PolicyChoice(string Description, IReadOnlyDictionary<string, string> Settings);
