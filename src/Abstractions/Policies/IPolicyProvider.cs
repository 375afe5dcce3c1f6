using GiGpoNet.Learning;

namespace GiGpoNet.Policies;

/// <summary>
/// Supplies the policy that generates a run's rollouts and evaluations, selected by name with <c>Training:Policy</c>. The built-in
/// <c>learner</c> is the learner's current weights; register another with <c>builder.AddPolicy&lt;TPolicy&gt;("name")</c>.
/// </summary>
public interface IPolicyProvider
{
    /// <summary>Whether the policy is the learner's own (so that evaluating it measures training); false for a scripted or remote one.</summary>
    bool IsLearner { get; }

    /// <summary>The policy; <paramref name="learner"/> is the run's learner, or null outside training (<c>gigpo eval</c>).</summary>
    /// <exception cref="GiGpoNetConfigurationException">It needs a learner and none was given.</exception>
    IPolicy Get(ILearner? learner);
}
