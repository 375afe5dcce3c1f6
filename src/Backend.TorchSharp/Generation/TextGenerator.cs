using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Generation;

/// <summary>
/// Batched generation for rollouts: prompts of different lengths are left-padded, the prompt is encoded once into a KV cache, then one
/// token per step is sampled for every unfinished row. A row finishes at an end-of-turn token, when its text contains a stop string,
/// or at the token cap. A row given allowed continuations is decoded under that constraint: at each step only the tokens that continue
/// one of them can be drawn (the others' logits are masked), and the row finishes when it has produced one completely. Every step runs
/// in its own dispose scope.
/// </summary>
public sealed class TextGenerator(Qwen2ForCausalLM model, ITextTokenizer tokenizer)
{
    /// <summary>Generates a continuation of each prompt (token ids, e.g. from the chat template).</summary>
    /// <param name="prompts">The prompts' token ids.</param>
    /// <param name="options">Sampling settings.</param>
    /// <param name="useCache">False recomputes the whole sequence at every step (for tests and benchmarks).</param>
    /// <param name="allowed">Per prompt, the token sequences its continuation must be one of (null or a null entry: unconstrained).</param>
    /// <param name="cancellationToken">Stops generating between two tokens (<see cref="OperationCanceledException"/>).</param>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, bool useCache = true,
        IReadOnlyList<IReadOnlyList<int[]>?>? allowed = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
        if (allowed is not null && allowed.Count != prompts.Count) throw new ArgumentException("Give one entry of allowed continuations per prompt.", nameof(allowed));
        if (allowed is not null && allowed.Any(a => a is not null && (a.Count == 0 || a.Any(c => c.Length == 0 || c.Length > options.MaxNewTokens))))
            throw new ArgumentException($"Every allowed continuation needs 1 to MaxNewTokens ({options.MaxNewTokens}) tokens, and a constrained prompt at least one.",
                nameof(allowed));
        var (device, dtype) = model.Body.Placement();
        var batch = prompts.Count;
        var promptLength = prompts.Max(p => p.Length);
        var total = promptLength + options.MaxNewTokens;

        var ids = new long[batch, total];
        var mask = new long[batch, total];
        for (var b = 0; b < batch; b++)
        {
            var offset = promptLength - prompts[b].Length;
            for (var i = 0; i < offset; i++) ids[b, i] = tokenizer.PaddingId;
            for (var i = 0; i < prompts[b].Length; i++)
            {
                ids[b, offset + i] = prompts[b][i];
                mask[b, offset + i] = 1;
            }
        }

        var generated = Enumerable.Range(0, batch).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, batch).Select(_ => new List<float>()).ToArray();
        var modelLogProbs = Enumerable.Range(0, batch).Select(_ => new List<float>()).ToArray();
        var topLogProbs = options.TopLogProbs > 0 ? Enumerable.Range(0, batch).Select(_ => new List<TokenLogProb[]>()).ToArray() : null;
        var finished = new bool[batch];
        var stops = options.StopStrings ?? [];
        var endOfTurn = tokenizer.EndOfTurnIds.ToHashSet();
        using var generator = new Generator((ulong)options.Seed, CPU);
        using var cache = useCache ? new KvCache(model.Config, batch, total, dtype, device) : null;
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            for (var step = 0; step < options.MaxNewTokens && !finished.All(f => f); step++)
            {
                cancellationToken.ThrowIfCancellationRequested(); // between tokens: nobody waits for the rest
                using var scope = NewDisposeScope();
                var length = promptLength + step;
                Tensor logits;
                if (cache is null)
                {
                    logits = model.Forward(Slice(ids, 0, length, device), Slice(mask, 0, length, device));
                }
                else
                {
                    var start = step == 0 ? 0 : length - 1;
                    logits = model.Forward(Slice(ids, start, length, device), Slice(mask, 0, length, device), cache);
                }
                var raw = logits[.., -1, ..];
                var last = allowed is null ? raw : Constrain(raw, allowed, generated, finished);
                var (tokens, tokenLogProbs) = TokenSampler.Sample(last, options, generator);
                var chosen = tokens.cpu().data<long>().ToArray();
                var chosenLogProbs = tokenLogProbs.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
                var modelDistribution = raw.to_type(ScalarType.Float32).log_softmax(-1);
                var chosenModelLogProbs = modelDistribution.gather(-1, tokens.unsqueeze(-1)).squeeze(-1).cpu().data<float>().ToArray();
                var mostLikely = topLogProbs is null ? null : MostLikely(modelDistribution, options.TopLogProbs);
                for (var b = 0; b < batch; b++)
                {
                    ids[b, length] = finished[b] ? tokenizer.PaddingId : chosen[b];
                    mask[b, length] = 1;
                    if (finished[b]) continue;
                    generated[b].Add((int)chosen[b]);
                    logProbs[b].Add(chosenLogProbs[b]);
                    modelLogProbs[b].Add(chosenModelLogProbs[b]);
                    topLogProbs?[b].Add(mostLikely![b]);
                    if (endOfTurn.Contains((int)chosen[b]) || (stops.Count > 0 && EndsWithStop(generated[b], stops))
                        || (allowed?[b] is { } choices && choices.Any(c => c.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(generated[b])))))
                        finished[b] = true;
                }
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }

        return [.. Enumerable.Range(0, batch).Select(b =>
            new GeneratedSequence([.. generated[b]], [.. logProbs[b]], tokenizer.Decode(generated[b].ToArray()), !finished[b]) 
            {
                TopLogProbs = topLogProbs?[b], ModelLogProbs = [.. modelLogProbs[b]],
            })];
    }

    /// <summary>
    /// Per row of log-probabilities [B, V], its <paramref name="count"/> most likely tokens, most likely first; tokens that top-k or
    /// top-p removed (probability 0) are left out.
    /// </summary>
    [RequiresDisposeScope]
    internal static TokenLogProb[][] MostLikely(Tensor logProbabilities, int count)
    {
        var k = (int)Math.Min(count, logProbabilities.shape[^1]);
        var (values, indices) = logProbabilities.topk(k, dim: -1);
        var v = values.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        var ix = indices.cpu().data<long>().ToArray();
        var rows = (int)logProbabilities.shape[0];
        return [.. Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, k).Select(j => new TokenLogProb((int)ix[r * k + j], v[r * k + j]))
            .Where(t => float.IsFinite(t.LogProb)).ToArray())];
    }

    /// <summary>Masks, in the rows that are constrained, every token that continues none of the row's allowed sequences.</summary>
    [RequiresDisposeScope]
    private static Tensor Constrain(Tensor logits, IReadOnlyList<IReadOnlyList<int[]>?> allowed, List<int>[] generated, bool[] finished)
    {
        var (batch, vocabulary) = ((int)logits.shape[0], (int)logits.shape[1]);
        var blocked = new bool[batch * vocabulary];
        var any = false;
        for (var b = 0; b < batch; b++)
        {
            if (allowed[b] is not { } choices || finished[b]) continue;
            var prefix = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(generated[b]);
            var open = new bool[vocabulary];
            foreach (var choice in choices)
                if (choice.Length > prefix.Length && choice.AsSpan(0, prefix.Length).SequenceEqual(prefix) && choice[prefix.Length] < vocabulary)
                    open[choice[prefix.Length]] = true;
            for (var v = 0; v < vocabulary; v++) blocked[b * vocabulary + v] = !open[v];
            any = true;
        }
        if (!any) return logits;
        using var negativeInfinity = double.NegativeInfinity.ToScalar(); // held until the call returns (see HeldScalars)
        return logits.masked_fill(tensor(blocked, [batch, vocabulary], device: logits.device), negativeInfinity);
    }

    private bool EndsWithStop(List<int> tokens, IReadOnlyList<string> stops)
    {
        // Only the tail can newly contain a stop string: decode the last few tokens.
        var tail = tokenizer.Decode(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens)[Math.Max(0, tokens.Count - 16)..]);
        return stops.Any(s => tail.Contains(s, StringComparison.Ordinal));
    }

    private static Tensor Slice(long[,] values, int start, int end, Device device)
    {
        var rows = values.GetLength(0);
        var slice = new long[rows * (end - start)];
        for (var r = 0; r < rows; r++)
            for (var c = start; c < end; c++) slice[r * (end - start) + c - start] = values[r, c];
        return tensor(slice, [rows, end - start], device: device);
    }
}
