using GiGpoNet.Backend.Model;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>Supervised fine-tuning on (prompt, response) pairs: cross-entropy on the response tokens only (behaviour cloning).</summary>
internal static class SupervisedFineTuning
{
    /// <summary>Trains <paramref name="model"/> for <paramref name="epochs"/> passes; returns the mean loss of each pass.</summary>
    public static IReadOnlyList<double> Train(Qwen2ForCausalLM model, IReadOnlyList<(int[] Prompt, int[] Response)> rows, int epochs, double learningRate,
        int batchSize, int paddingId, long seed, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var losses = new List<double>();
        if (rows.Count == 0 || epochs == 0) return losses;
        var parameters = model.parameters().ToArray();
        using var optimizer = new AdamWOptimizer(parameters, weightDecay: 0.0);
        var device = model.Body.Placement().Device;
        var random = new Random(unchecked((int)seed));
        model.train();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            double sum = 0;
            var batches = 0;
            foreach (var chunk in Enumerable.Range(0, rows.Count).OrderBy(_ => random.Next()).Chunk(batchSize))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var batch = SequenceBatch.Create([.. chunk.Select(i => rows[i])], paddingId, device);
                var logits = model.Logits(batch.AtPredictingPositions(model.Hidden(batch.Ids, batch.Attention)));
                var loss = -LossAggregation.Aggregate(TokenStatistics.LogProbs(logits, batch.ResponseIds), batch.ResponseMask, LossAggregationMode.TokenMean);
                loss.backward();
                nn.utils.clip_grad_norm_(parameters, 1.0);
                optimizer.Step(learningRate);
                sum += loss.item<float>();
                batches++;
            }
            losses.Add(sum / batches);
        }
        return losses;
    }
}
