namespace GiGpoNet.Environments.Rollouts;

/// <summary>The action text sent to the environment, and whether the model's output was well-formed.</summary>
/// <param name="Action">What the environment receives (for an invalid output, a fallback such as its last characters).</param>
/// <param name="Valid">False when the output broke the format; the step is flagged and penalized, never a crash.</param>
public readonly record struct ParsedAction(string Action, bool Valid);

/// <summary>Turns the model's text into an environment action. Replace it through DI to change the output format.</summary>
public interface IActionParser
{
    /// <summary>Parses one response.</summary>
    ParsedAction Parse(string response);
}
