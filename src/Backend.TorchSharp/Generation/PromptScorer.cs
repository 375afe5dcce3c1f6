using GiGpoNet.Backend.Model;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Generation;

/// <summary>The log-probabilities of a sequence's tokens given the tokens before them (temperature 1), for scoring a prompt.</summary>
/// <param name="LogProbs">Per token after the first, log p(token | the tokens before it): <c>LogProbs[i]</c> scores token <c>i + 1</c>.</param>
/// <param name="TopLogProbs">Per scored token, the most likely tokens at its position, most likely first; null when none were asked for.</param>
internal sealed record PromptScores(float[] LogProbs, IReadOnlyList<TokenLogProb[]>? TopLogProbs);

/// <summary>
/// Scores a sequence with one forward pass: the hidden states once, then logits a chunk of positions at a time, so that no
/// [length, vocabulary] tensor is ever whole (a 2,048-token prompt over Qwen's 151,936 tokens would be 1.2 GB).
/// </summary>
internal static class PromptScorer
{
    private const int ChunkPositions = 64;

    public static PromptScores Score(Qwen2ForCausalLM model, int[] ids, int topLogProbs = 0)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Length < 2) return new PromptScores([], topLogProbs > 0 ? [] : null);
        var (device, _) = model.Body.Placement();
        var logProbs = new float[ids.Length - 1];
        var top = topLogProbs > 0 ? new List<TokenLogProb[]>(ids.Length - 1) : null;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], device: device);
            var hidden = model.Hidden(input, ones_like(input));
            for (var start = 0; start < ids.Length - 1; start += ChunkPositions)
            {
                using var chunkScope = NewDisposeScope();
                var count = Math.Min(ChunkPositions, ids.Length - 1 - start);
                var distribution = model.Logits(hidden.narrow(1, start, count)).squeeze(0).log_softmax(-1);
                var next = tensor(ids.AsSpan(start + 1, count).ToArray().Select(i => (long)i).ToArray(), [count, 1], device: device);
                distribution.gather(-1, next).squeeze(-1).cpu().data<float>().CopyTo(logProbs, start);
                if (top is not null) top.AddRange(TextGenerator.MostLikely(distribution, topLogProbs));
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }
        return new PromptScores(logProbs, top);
    }
}
