namespace GiGpoNet.Hosting.Configuration;

/// <summary>The <c>WarmStart</c> section: supervised behaviour cloning on the environment's expert before RL.</summary>
public sealed record WarmStartOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "WarmStart";

    /// <summary>
    /// Whether to warm-start: unset (default) warm-starts a policy trained from scratch and not a pretrained one (<c>Policy:Path</c>),
    /// true or false decides.
    /// </summary>
    public bool? Enabled { get; set; }

    /// <summary>Expert episodes to learn from (training split); 0 skips the warm start. Default 240.</summary>
    public int Episodes { get; set; } = 240;

    /// <summary>Passes over the demonstrations. Default 5.</summary>
    public int Epochs { get; set; } = 5;

    /// <summary>AdamW learning rate. Default 1e-3.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Steps per optimizer step. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Share of demonstration steps at which a random admissible action is carried out instead of the expert's, while the state is
    /// still labelled with the expert's action (DART noise injection): the policy learns to recover from its own mistakes. Default 0.2.
    /// </summary>
    public double ExplorationRate { get; set; } = 0.2;

    /// <summary>
    /// A folder where warm-started policies are kept and reused by runs whose warm start would be identical (same demonstrations, policy
    /// architecture, warm-start and evaluation settings, seed): the cells of an ablation train it once. Empty (default): no cache.
    /// </summary>
    public string CacheDirectory { get; set; } = "";

    /// <summary>Lists what is wrong.</summary>
    public IEnumerable<string> Validate()
    {
        if (Episodes < 0 || Epochs < 0) yield return $"{SectionName}: Episodes and Epochs must be 0 or more.";
        if (!(LearningRate > 0)) yield return $"{SectionName}:{nameof(LearningRate)} = {LearningRate} must be greater than 0.";
        if (!(ExplorationRate >= 0 && ExplorationRate < 1)) yield return $"{SectionName}:{nameof(ExplorationRate)} = {ExplorationRate} must be in [0, 1).";
        if (BatchSize < 1) yield return $"{SectionName}:{nameof(BatchSize)} = {BatchSize} must be at least 1.";
    }
}
