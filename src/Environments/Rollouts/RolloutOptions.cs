namespace GiGpoNet.Environments.Rollouts;

/// <summary>
/// Options of the agent rollout loop, bound from the <c>Rollout</c> section. The defaults are the recipe of the built-in policy trained
/// from scratch (the main job's); verl-agent's values for LLM agents are noted where they differ.
/// </summary>
public sealed class RolloutOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Rollout";

    /// <summary>Step limit per episode; 0 uses the environment's default (household 50, shop 15, sokoban 15).</summary>
    public int MaxSteps { get; set; }

    /// <summary>How many past (observation, action) pairs the prompt shows (verl-agent's <c>env.history_length</c>: 2). Default 1; 0 shows none.</summary>
    public int HistoryLength { get; set; } = 1;

    /// <summary>Cap on generated tokens per action (an LLM that reasons first needs far more, verl-agent 512). Default 24.</summary>
    public int MaxNewTokens { get; set; } = 24;

    /// <summary>Nucleus sampling mass. Default 1 (off).</summary>
    public double TopP { get; set; } = 1.0;

    /// <summary>Keep the k most likely tokens; −1 is off. Default −1.</summary>
    public int TopK { get; set; } = -1;

    /// <summary>Generation stops after any of these. Default <c>&lt;/action&gt;</c>.</summary>
    public string[] StopStrings { get; set; } = ["</action>"];

    /// <summary>Whether an answer without <c>&lt;think&gt;...&lt;/think&gt;</c> is invalid (verl-agent: yes). Default false.</summary>
    public bool RequireThinkTags { get; set; }

    /// <summary>
    /// Whether the prompt lists the admissible actions (verl-agent's prompts do). Default false: with
    /// <see cref="ConstrainToAdmissibleActions"/> the decoder enforces them, and leaving the list out shortens the prompt about twofold.
    /// </summary>
    public bool ShowAdmissibleActions { get; set; }

    /// <summary>
    /// Whether the policy may answer only with an admissible action (in the answer format), decoding under that constraint, where the
    /// environment lists admissible actions (a turn whose list holds a template such as <c>search[&lt;your query&gt;]</c> is decoded
    /// freely). Every constrained answer is then a valid command; free-form reasoning is off. Suits small policies
    /// trained from scratch (the main job's); verl-agent's LLM agents generate freely. Default true.
    /// </summary>
    public bool ConstrainToAdmissibleActions { get; set; } = true;

    /// <summary>Characters of an unparsable answer that are sent to the environment anyway (ALFWorld 30, WebShop 20). Default 30.</summary>
    public int FallbackCharacters { get; set; } = 30;

    /// <summary>Lists what is wrong, one sentence each.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxSteps < 0) yield return $"{nameof(MaxSteps)} = {MaxSteps} must be 0 (the environment's default) or more.";
        if (HistoryLength < 0) yield return $"{nameof(HistoryLength)} = {HistoryLength} must be 0 or more.";
        if (MaxNewTokens < 1) yield return $"{nameof(MaxNewTokens)} = {MaxNewTokens} must be at least 1.";
        if (!(TopP > 0 && TopP <= 1)) yield return $"{nameof(TopP)} = {TopP} must be in (0, 1].";
        if (TopK == 0 || TopK < -1) yield return $"{nameof(TopK)} = {TopK} must be −1 (off) or at least 1.";
        if (FallbackCharacters < 0) yield return $"{nameof(FallbackCharacters)} = {FallbackCharacters} must be 0 or more.";
    }
}
