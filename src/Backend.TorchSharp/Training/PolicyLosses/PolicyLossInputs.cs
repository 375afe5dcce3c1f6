using static TorchSharp.torch;

namespace GiGpoNet.Backend.Training;

/// <summary>What a policy loss computes from, for one micro-batch: float32 tensors of shape [rows, response tokens].</summary>
/// <param name="LogProbs">The policy's log-probabilities of the response tokens (with gradient).</param>
/// <param name="OldLogProbs">The log-probabilities of the policy that sampled them (no gradient).</param>
/// <param name="Advantages">Each token's advantage.</param>
/// <param name="ResponseMask">1 on response tokens, 0 on padding.</param>
/// <param name="RolloutWeights">Per-token weights that correct for a rollout engine other than the learner (<c>Update:RolloutIsThreshold</c>), or null.</param>
/// <param name="Options">The <c>Update</c> section (clip ratios, <see cref="UpdateOptions.LossAggMode"/>).</param>
public sealed record PolicyLossInputs(Tensor LogProbs, Tensor OldLogProbs, Tensor Advantages, Tensor ResponseMask, Tensor? RolloutWeights, UpdateOptions Options);
