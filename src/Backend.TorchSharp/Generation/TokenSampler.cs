using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Generation;

/// <summary>Draws the next token of every row from float32 logits [B, V]: greedy, or temperature with top-k and top-p truncation.</summary>
public static class TokenSampler
{
    /// <summary>The chosen tokens [B] and their log-probabilities [B] under the distribution they were drawn from.</summary>
    [RequiresDisposeScope]
    public static (Tensor Tokens, Tensor LogProbs) Sample(Tensor logits, SamplingOptions options, Generator generator)
    {
        if (options.Temperature <= 0)
        {
            var greedy = logits.argmax(-1);
            return (greedy, logits.log_softmax(-1).gather(-1, greedy.unsqueeze(-1)).squeeze(-1));
        }

        using var temperature = options.Temperature.ToScalar();
        using var negativeInfinity = double.NegativeInfinity.ToScalar(); // held until the calls return (see HeldScalars)
        using var topP = options.TopP.ToScalar();
        var scaled = logits / temperature;
        if (options.TopK > 0 && options.TopK < scaled.shape[^1])
        {
            var kth = scaled.topk(options.TopK, dim: -1).values.narrow(-1, options.TopK - 1, 1);
            scaled = scaled.masked_fill(scaled.lt(kth), negativeInfinity);
        }
        if (options.TopP < 1)
        {
            var (sorted, order) = scaled.sort(-1, descending: true);
            var probabilities = sorted.softmax(-1);
            // Drop a token when the mass before it already reaches top-p; the most likely token always stays.
            var drop = (probabilities.cumsum(-1) - probabilities).gt(topP);
            var dropInVocabularyOrder = zeros_like(drop).scatter(-1, order, drop);
            scaled = scaled.masked_fill(dropInVocabularyOrder, negativeInfinity);
        }
        var logProbabilities = scaled.log_softmax(-1);
        var tokens = multinomial(logProbabilities.exp().cpu(), 1, generator: generator).to(logits.device).squeeze(-1);
        return (tokens, logProbabilities.gather(-1, tokens.unsqueeze(-1)).squeeze(-1));
    }
}
