namespace GiGpoNet.Environments.Rollouts;

/// <summary>The answer format the prompt asks for and <see cref="TagActionParser"/> reads: an action in <c>&lt;action&gt;</c> tags.</summary>
public static class AnswerFormat
{
    /// <summary>The answer that carries out <paramref name="action"/> (with an empty <c>&lt;think&gt;</c> block when think tags are required).</summary>
    public static string For(string action, bool thinkTags) => thinkTags ? $"<think></think><action>{action}</action>" : $"<action>{action}</action>";
}
