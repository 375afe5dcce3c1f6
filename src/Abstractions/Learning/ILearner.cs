using GiGpoNet.Advantages;
using GiGpoNet.Data;
using GiGpoNet.Policies;

namespace GiGpoNet.Learning;

/// <summary>
/// Everything tensor-side of a run: the policy's weights (and the reference policy, the critic and the optimizers' state), the
/// supervised warm start, the recomputation of old log-probabilities and critic values, and the policy update. The trainer hands it
/// batches and advantages and never reshapes rows itself. Created by an <see cref="ILearnerFactory"/>.
/// </summary>
public interface ILearner : IDisposable
{
    /// <summary>The policy that generates with the learner's current weights.</summary>
    IPolicy Policy { get; }

    /// <summary>
    /// What the learner resolved and the run should record (the TorchSharp learner: device, dtype, parameter counts), written into
    /// the run's <c>summary.json</c>. Empty by default.
    /// </summary>
    IReadOnlyDictionary<string, string> Description => new Dictionary<string, string>();

    /// <summary>Behaviour cloning on <paramref name="demonstrations"/>; returns the mean loss of each epoch.</summary>
    IReadOnlyList<double> WarmStart(IReadOnlyList<Demonstration> demonstrations, SupervisedSettings settings, CancellationToken cancellationToken = default);

    /// <summary>Prepares the reinforcement stage: the reference policy, the critic when asked for, the optimizers; restores a checkpoint's state.</summary>
    void BeginReinforcement(ReinforcementStart start);

    /// <summary>
    /// The forward passes that come before the advantages: the old log-probabilities of every active row's response (verl's
    /// <c>old_log_prob</c>, replacing the sampler's) and, when the reinforcement stage has a critic, its values.
    /// </summary>
    RolloutBatch Prepare(RolloutBatch batch);

    /// <summary>One policy (and critic) update on the active rows of a prepared batch; returns the update's metrics.</summary>
    IReadOnlyDictionary<string, double> Update(RolloutBatch batch, AdvantageResult advantages);

    /// <summary>Saves the policy alone (weights and tokenizer), loadable with <see cref="LearnerStart.PolicyFolder"/>.</summary>
    void SavePolicy(string folder);

    /// <summary>Saves everything <see cref="BeginReinforcement"/> needs to resume: the policy, reference, critic and optimizer state.</summary>
    void SaveState(string folder);
}
