namespace GiGpoNet.Learning;

/// <summary>
/// Creates the run's <see cref="ILearner"/>. Replace the TorchSharp one with <c>services.AddSingleton&lt;ILearnerFactory, MyFactory&gt;()</c>.
/// </summary>
public interface ILearnerFactory
{
    /// <summary>What its learners need from rollouts and what they add to them; checked against the estimator at start-up.</summary>
    LearnerCapabilities Capabilities { get; }

    /// <summary>
    /// Everything besides the demonstrations and the warm-start settings that a warm start depends on (architecture, dtype, device),
    /// as text: part of the key of a cached warm start.
    /// </summary>
    string WarmStartIdentity { get; }

    /// <summary>
    /// How many expert demonstrations a new learner needs for its vocabulary (<see cref="LearnerStart.Corpus"/>): 0 when its tokenizer
    /// comes with the model.
    /// </summary>
    int CorpusDemonstrations { get; }

    /// <summary>
    /// What the warm start should say it does beyond its name, reported with its event (the TorchSharp learner: that it trains every
    /// weight although the reinforcement stage trains LoRA adapters); null for nothing.
    /// </summary>
    string? WarmStartNote => null;

    /// <summary>Creates a learner whose policy starts from <paramref name="start"/>.</summary>
    ILearner Create(LearnerStart start);
}
