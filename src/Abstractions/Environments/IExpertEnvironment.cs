namespace GiGpoNet.Environments;

/// <summary>An environment that knows a good next action: used for supervised warm-starting and to test that tasks are solvable.</summary>
public interface IExpertEnvironment
{
    /// <summary>
    /// The expert's next action in the current state, or null when no action can reach the goal from it any more (a dead state, such
    /// as a box pushed into a corner by an exploratory step): a demonstration ends there.
    /// </summary>
    string? ExpertAction();
}
