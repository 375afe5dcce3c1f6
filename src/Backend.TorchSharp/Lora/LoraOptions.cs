namespace GiGpoNet.Backend.Lora;

/// <summary>
/// Low-rank adapters for the reinforcement stage (<c>Policy:Lora</c>): the base weights are frozen and only B·A, scaled by
/// alpha / rank, is trained on the chosen projections. The warm start, when there is one, still trains every weight.
/// Saved in PEFT's format, so PEFT, transformers and vLLM load the adapter.
/// </summary>
public sealed class LoraOptions
{
    /// <summary>The projections adapters can be put on, by their Hugging Face names.</summary>
    public static readonly IReadOnlyList<string> KnownTargets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    /// <summary>The rank r of each adapter; 0 (the default) trains every weight instead.</summary>
    public int Rank { get; set; }

    /// <summary>PEFT's <c>lora_alpha</c>: the update is scaled by Alpha / Rank. Default 16.</summary>
    public double Alpha { get; set; } = 16;

    /// <summary>Dropout on an adapter's input while training (PEFT's <c>lora_dropout</c>). Default 0.</summary>
    public double Dropout { get; set; }

    /// <summary>The projections that get adapters, among <see cref="KnownTargets"/>. Default (unset): all seven.</summary>
    public string[]? TargetModules { get; set; }

    /// <summary>The projections that get adapters: <see cref="TargetModules"/>, or all seven when unset.</summary>
    public IReadOnlyList<string> Targets => TargetModules is { Length: > 0 } chosen ? chosen : KnownTargets;

    /// <summary>Whether adapters are on.</summary>
    public bool Enabled => Rank > 0;

    /// <summary>What is wrong with the options, each with its fix.</summary>
    public IEnumerable<string> Validate()
    {
        if (Rank < 0) yield return $"Policy:Lora:Rank = {Rank} must be 0 (off) or more.";
        if (!Enabled) yield break;
        if (!(Alpha > 0) || !double.IsFinite(Alpha)) yield return $"Policy:Lora:Alpha = {Alpha} must be a positive number.";
        if (!(Dropout >= 0 && Dropout < 1)) yield return $"Policy:Lora:Dropout = {Dropout} must be in [0, 1).";
        foreach (var unknown in Targets.Where(t => !KnownTargets.Contains(t)))
                yield return $"Policy:Lora:TargetModules names '{unknown}', which is not a projection of the model; use {string.Join(", ", KnownTargets)}.";
    }
}
