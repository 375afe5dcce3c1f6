using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Generation;

/// <summary>
/// Batched generation for rollouts: prompts of different lengths are left-padded, the prompt is encoded once into a KV cache, then one
/// token per step is sampled for every unfinished row. A row finishes at an end-of-turn token, when its text contains a stop string,
/// or at the token cap. Every step runs in its own dispose scope.
/// </summary>
public sealed class TextGenerator(Qwen2ForCausalLM model, ITextTokenizer tokenizer)
{
    /// <summary>Generates a continuation of each prompt (token ids, e.g. from the chat template).</summary>
    /// <param name="prompts">The prompts' token ids.</param>
    /// <param name="options">Sampling settings.</param>
    /// <param name="useCache">False recomputes the whole sequence at every step (for tests and benchmarks).</param>
    public IReadOnlyList<GeneratedSequence> Generate(IReadOnlyList<int[]> prompts, SamplingOptions options, bool useCache = true)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) return [];
        if (prompts.Any(p => p.Length == 0)) throw new ArgumentException("Every prompt needs at least one token.", nameof(prompts));
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
                var (tokens, tokenLogProbs) = TokenSampler.Sample(logits[.., -1, ..], options, generator);
                var chosen = tokens.cpu().data<long>().ToArray();
                var chosenLogProbs = tokenLogProbs.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
                for (var b = 0; b < batch; b++)
                {
                    ids[b, length] = finished[b] ? tokenizer.PaddingId : chosen[b];
                    mask[b, length] = 1;
                    if (finished[b]) continue;
                    generated[b].Add((int)chosen[b]);
                    logProbs[b].Add(chosenLogProbs[b]);
                    if (endOfTurn.Contains((int)chosen[b]) || (stops.Count > 0 && EndsWithStop(generated[b], stops))) finished[b] = true;
                }
            }
        }
        finally
        {
            if (wasTraining) model.train();
        }

        return [.. Enumerable.Range(0, batch).Select(b =>
            new GeneratedSequence([.. generated[b]], [.. logProbs[b]], tokenizer.Decode(generated[b].ToArray()), !finished[b]))];
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
