using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// Activation checkpointing of one decoder layer (<c>Update:GradientCheckpointing</c>), as torch.utils.checkpoint does it: the forward
/// pass keeps only the layer's input; the backward pass runs the layer again with gradients on and differentiates that. The layer's
/// trainable tensors are inputs of the node, so their gradients reach the optimizer as without checkpointing.
/// </summary>
internal sealed class CheckpointedLayer : autograd.SingleTensorFunction<CheckpointedLayer>
{
    private const string CallKey = "call";

    private sealed record Call(Qwen2DecoderLayer Layer, Tensor Cos, Tensor Sin, Tensor Mask, int Index, IReadOnlyList<Parameter> Trainable, Tensor RandomState);

    private static long _recomputations;

    /// <summary>The tensors the last backward call on this thread returned, disposed by the next one (native code reads them in between).</summary>
    [ThreadStatic]
    private static List<Tensor>? _returnedOnThread;

    private static List<Tensor> Returned => _returnedOnThread ??= [];

    public override string Name => nameof(CheckpointedLayer);

    /// <summary>Layers recomputed in backward passes so far, in this process (tests read it to see that checkpointing ran).</summary>
    internal static long Recomputations => Interlocked.Read(ref _recomputations);

    /// <summary>The layer's output for <paramref name="x"/>, through a node that recomputes the layer in backward.</summary>
    [RequiresDisposeScope]
    public static Tensor Apply(Qwen2DecoderLayer layer, Tensor x, Tensor cos, Tensor sin, Tensor mask, int index)
    {
        var trainable = layer.TrainableParameters();
        var call = new Call(layer, cos, sin, mask, index, trainable, get_rng_state());
        return apply([x, call, .. trainable]);
    }

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        // The layer's intermediate tensors die here: without this scope the caller's would keep them all until the micro-batch ends.
        using var scope = NewDisposeScope();
        var x = (Tensor)vars[0];
        var call = (Call)vars[1];
        ctx.save_for_backward([x]);
        ctx.save_data(CallKey, call);
        return call.Layer.Forward(x, call.Cos, call.Sin, call.Mask, cache: null, call.Index).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        var call = (Call)ctx.get_data(CallKey);
        Interlocked.Increment(ref _recomputations);
        // The gradients the previous node returned are the engine's now (it holds its own references): dropping ours lets it
        // accumulate a weight's gradient in place instead of copying it, and frees them before this layer's recomputation.
        foreach (var returned in Returned) returned.Dispose();
        Returned.Clear();
        using var scope = NewDisposeScope(); // the recomputed activations are freed when this layer's backward returns
        var input = ctx.get_saved_variables()[0].detach().requires_grad_(true);
        var after = get_rng_state();
        set_rng_state(call.RandomState); // dropout (a LoRA adapter's) draws the masks of the forward pass again
        Tensor output;
        using (enable_grad()) output = call.Layer.Forward(input, call.Cos, call.Sin, call.Mask, cache: null, call.Index);
        set_rng_state(after);
        var grads = autograd.grad([output], [input, .. call.Trainable], [grad_output]);
        List<Tensor> result = [grads[0].MoveToOuterDisposeScope(), null!];
        result.AddRange(grads.Skip(1).Select(g => g.MoveToOuterDisposeScope()));
        Returned.AddRange(result.Where(t => t is not null));
        return result;
    }
}
