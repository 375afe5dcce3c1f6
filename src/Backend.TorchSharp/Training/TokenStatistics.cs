using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>Per-token log-probabilities and entropy from logits.</summary>
internal static class TokenStatistics
{
    /// <summary>log p(token) for float32 logits [B, L, V] and token ids [B, L].</summary>
    [RequiresDisposeScope]
    public static Tensor LogProbs(Tensor logits, Tensor tokens) => logits.log_softmax(-1).gather(-1, tokens.unsqueeze(-1)).squeeze(-1);

    /// <summary>Entropy of each position's distribution: logsumexp(z) − Σ softmax(z)·z.</summary>
    [RequiresDisposeScope]
    public static Tensor Entropy(Tensor logits) => logits.logsumexp(-1) - (logits.softmax(-1) * logits).sum(-1);
}
