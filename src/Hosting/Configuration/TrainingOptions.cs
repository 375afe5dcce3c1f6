namespace GiGpoNet.Hosting.Configuration;

/// <summary>The <c>Training</c> section: what to train and how.</summary>
public sealed class TrainingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Training";

    /// <summary>
    /// The advantage estimator, by registered name (case-insensitive): <c>gigpo</c>, <c>grpo</c>, <c>rloo</c>, <c>reinforce_plus_plus</c>,
    /// <c>reinforce_plus_plus_baseline</c>, <c>ppo</c>, or a name registered with <c>AddAdvantageEstimator</c>. Default <c>gigpo</c>.
    /// </summary>
    public string Algorithm { get; set; } = "gigpo";
}
