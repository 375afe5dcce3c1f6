namespace GiGpoNet.Environments;

/// <summary>An environment that knows a good next action: used for supervised warm-starting and to test that tasks are solvable.</summary>
public interface IExpertEnvironment
{
    /// <summary>The expert's next action in the current state.</summary>
    string ExpertAction();
}
