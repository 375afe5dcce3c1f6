using GiGpoNet.Advantages;
using GiGpoNet.Environments;

namespace GiGpoNet.Hosting.Configuration;

/// <summary>The <c>Training</c> section: what to train, on what, and for how long.</summary>
public sealed class TrainingOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Training";

    /// <summary>
    /// The advantage estimator, by registered name (case-insensitive): <c>gigpo</c>, <c>grpo</c>, <c>rloo</c>, <c>reinforce_plus_plus</c>,
    /// <c>reinforce_plus_plus_baseline</c>, <c>ppo</c>, or a name registered with <c>AddAdvantageEstimator</c>. Default <c>gigpo</c>.
    /// </summary>
    public string Algorithm { get; set; } = "gigpo";

    /// <summary>The environment, by registered name: <c>household</c>, <c>shop</c>, <c>sokoban</c>, or your own. Default <c>household</c>.</summary>
    public string Environment { get; set; } = "household";

    /// <summary>
    /// Where training rollouts come from, by registered name: <c>environment</c> (default: the policy acting in <see cref="Environment"/>)
    /// or a source registered with <c>AddRolloutSource</c> (a replay of logged steps, a remote fleet, ...).
    /// </summary>
    public string RolloutSource { get; set; } = "environment";

    /// <summary>
    /// The policy that generates training rollouts, by registered name: <c>learner</c> (default: the weights being trained) or a policy
    /// registered with <c>AddPolicy</c>. Evaluation always measures the learner.
    /// </summary>
    public string Policy { get; set; } = "learner";

    /// <summary>RL iterations (collect, estimate, update). Default 20.</summary>
    public int Iterations { get; set; } = 20;

    /// <summary>
    /// A budget of training environment steps: training stops after the iteration that reaches it (then evaluates and checkpoints), so that
    /// algorithms are compared at equal environment steps whatever their episode lengths; <see cref="Iterations"/> stays the upper bound.
    /// 0 (default) is no budget.
    /// </summary>
    public long EnvironmentStepBudget { get; set; }

    /// <summary>Seed of everything random: model initialization, tasks, sampling, shuffling. Default 1.</summary>
    public long Seed { get; set; } = 1;

    /// <summary>Episode groups (distinct tasks) per iteration. Default 8.</summary>
    public int Groups { get; set; } = 8;

    /// <summary>Trajectories per group (N). Default 8.</summary>
    public int GroupSize { get; set; } = 8;

    /// <summary>Where the run folder is created; <c>{algorithm}</c>, <c>{environment}</c> and <c>{seed}</c> are replaced. Default
    /// <c>runs/{algorithm}-{environment}-seed{seed}</c>.</summary>
    public string OutputDirectory { get; set; } = "runs/{algorithm}-{environment}-seed{seed}";

    /// <summary>Evaluate on the validation split every this many iterations (and after the last); 0 evaluates only at the end. Default 5.</summary>
    public int EvaluationInterval { get; set; } = 5;

    /// <summary>Validation tasks per evaluation (one trajectory each). Default 32.</summary>
    public int EvaluationTasks { get; set; } = 32;

    /// <summary>
    /// Write a resumable checkpoint every this many iterations, after the last, and of iteration 0 after the warm start (so that a failure
    /// before the first interval does not cost the warm start); 0: only after the last. Default 5.
    /// </summary>
    public int CheckpointInterval { get; set; } = 5;

    /// <summary>
    /// Keep only the newest this many <c>checkpoints/iter-*</c> (older ones are deleted after each save); 0 (default) keeps every one.
    /// </summary>
    public int KeepCheckpoints { get; set; }

    /// <summary>Continue from the newest checkpoint in the run folder when there is one. Default true.</summary>
    public bool Resume { get; set; } = true;

    /// <summary>Sampling temperature of training rollouts. Default 1.0.</summary>
    public double Temperature { get; set; } = 1.0;

    /// <summary>Sampling temperature of evaluation. Default 0.4 (verl-agent's validation temperature).</summary>
    public double EvaluationTemperature { get; set; } = 0.4;

    /// <summary>The run folder for these settings.</summary>
    public string ResolveOutputDirectory() => OutputDirectory
        .Replace("{algorithm}", AdvantageEstimatorRegistry.Normalize(Algorithm), StringComparison.Ordinal)
        .Replace("{environment}", EnvironmentRegistry.Normalize(Environment), StringComparison.Ordinal)
        .Replace("{seed}", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Lists what is wrong, one sentence each.</summary>
    public IEnumerable<string> Validate()
    {
        if (Iterations < 0) yield return $"{SectionName}:{nameof(Iterations)} = {Iterations} must be 0 or more.";
        if (EnvironmentStepBudget < 0) yield return $"{SectionName}:{nameof(EnvironmentStepBudget)} = {EnvironmentStepBudget} must be 0 (no budget) or more.";
        if (Groups < 1) yield return $"{SectionName}:{nameof(Groups)} = {Groups} must be at least 1.";
        if (GroupSize < 1) yield return $"{SectionName}:{nameof(GroupSize)} = {GroupSize} must be at least 1.";
        if (EvaluationInterval < 0) yield return $"{SectionName}:{nameof(EvaluationInterval)} = {EvaluationInterval} must be 0 or more.";
        if (CheckpointInterval < 0) yield return $"{SectionName}:{nameof(CheckpointInterval)} = {CheckpointInterval} must be 0 or more.";
        if (KeepCheckpoints < 0) yield return $"{SectionName}:{nameof(KeepCheckpoints)} = {KeepCheckpoints} must be 0 (keep all) or more.";
        if (EvaluationTasks < 1) yield return $"{SectionName}:{nameof(EvaluationTasks)} = {EvaluationTasks} must be at least 1.";
        if (!(Temperature > 0)) yield return $"{SectionName}:{nameof(Temperature)} = {Temperature} must be greater than 0 (training samples).";
        if (EvaluationTemperature < 0) yield return $"{SectionName}:{nameof(EvaluationTemperature)} = {EvaluationTemperature} must be 0 (greedy) or more.";
        if (string.IsNullOrWhiteSpace(OutputDirectory)) yield return $"{SectionName}:{nameof(OutputDirectory)} must not be empty.";
    }
}
