using System.ComponentModel;

namespace GiGpoNet.Advantages;

/// <summary>
/// How group-relative advantages are normalized (verl-agent's <c>algorithm.gigpo.mode</c>).
/// In configuration, either the .NET name (<c>MeanNorm</c>) or the reference name (<c>mean_norm</c>) is accepted.
/// </summary>
[TypeConverter(typeof(AdvantageNormalizationConverter))]
public enum AdvantageNormalization
{
    /// <summary><c>mean_norm</c>: A = x − mean. The paper's "w/o std" (F_norm = 1); verl-agent's config default.</summary>
    MeanNorm,

    /// <summary><c>mean_std_norm</c>: A = (x − mean) / (std + ε), unbiased std. The paper's "w/ std".</summary>
    MeanStdNorm,
}

/// <summary>Converts <see cref="AdvantageNormalization"/> from its .NET name or its reference (snake_case) name.</summary>
public sealed class AdvantageNormalizationConverter : SnakeCaseEnumConverter<AdvantageNormalization>;
