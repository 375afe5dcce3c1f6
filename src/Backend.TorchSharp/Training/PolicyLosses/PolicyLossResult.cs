using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>A policy loss and its diagnostics for one micro-batch.</summary>
/// <param name="Loss">The aggregated loss (a scalar with gradient); <c>pg_loss</c>.</param>
/// <param name="ClipFraction"><c>pg_clipfrac</c>: share of tokens where the clipped term is the larger (0 for a loss without clipping).</param>
/// <param name="ClipFractionLower"><c>pg_clipfrac_lower</c>: share of tokens with A &lt; 0 where the dual clip applied.</param>
/// <param name="ApproxKl"><c>ppo_kl</c>: masked mean of (logπ_old − logπ).</param>
public readonly record struct PolicyLossResult(Tensor Loss, double ClipFraction, double ClipFractionLower, double ApproxKl);
