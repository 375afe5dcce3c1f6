using TorchSharp;
using TorchSharp.Utils;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>The transformer body (Hugging Face's <c>Qwen2Model</c>): token embeddings, decoder layers, final norm.</summary>
public sealed class Qwen2Model : nn.Module
{
    private const double MaskedScore = -1e9;
    [ComponentName(Name = "embed_tokens")]
    private readonly Embedding _embedTokens;
    [ComponentName(Name = "layers")]
    private readonly ModuleList<Qwen2DecoderLayer> _layers;
    [ComponentName(Name = "norm")]
    private readonly RmsNorm _norm;
    private readonly RotaryEmbedding _rotary;

    /// <summary>Creates the body with freshly initialized weights.</summary>
    public Qwen2Model(Qwen2Config config) : base(nameof(Qwen2Model))
    {
        Config = config;
        _embedTokens = nn.Embedding(config.VocabSize, config.HiddenSize);
        _layers = nn.ModuleList([.. Enumerable.Range(0, config.NumHiddenLayers).Select(_ => new Qwen2DecoderLayer(config))]);
        _norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
        _rotary = new RotaryEmbedding(config);
        RegisterComponents(); // the fields, under their [ComponentName]s: the Hugging Face names, each once
    }

    /// <summary>The architecture.</summary>
    public Qwen2Config Config { get; }

    /// <summary>
    /// Whether a forward pass with gradients keeps only each decoder layer's input and recomputes the layer in backward
    /// (<c>Update:GradientCheckpointing</c>): the same gradients, activation memory of one layer instead of all, about a third more compute.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>The embedding matrix (shared with the output projection when the config ties them). Each read makes a tensor handle: read it inside a dispose scope.</summary>
    public Parameter EmbeddingWeight => _embedTokens.weight!;

    /// <summary>The device and element type of the weights (read without leaving a tensor handle behind).</summary>
    public (Device Device, ScalarType Dtype) Placement()
    {
        using var scope = NewDisposeScope();
        var weight = _embedTokens.weight!;
        return (weight.device, weight.dtype);
    }

    /// <summary>Every decoder layer's projections under their full names (<c>model.layers.0.self_attn.q_proj</c> from the causal LM).</summary>
    internal IEnumerable<(string Name, Linear Projection, Lora.LoraSlot Slot)> Projections() =>
        Enumerable.Range(0, _layers.Count).SelectMany(l => _layers[l].Projections().Select(p => ($"layers.{l}.{p.Name}", p.Projection, p.Slot)));

    /// <summary>
    /// Hidden states [B, T, hidden] of <paramref name="inputIds"/> [B, T]. <paramref name="attentionMask"/> [B, past + T] is 1 for real tokens
    /// and 0 for padding (left padding is the convention); positions count real tokens only. With a cache, the new keys and values are
    /// appended after its filled prefix.
    /// </summary>
    [RequiresDisposeScope]
    public Tensor Forward(Tensor inputIds, Tensor attentionMask, KvCache? cache = null)
    {
        var t = inputIds.shape[1];
        var past = cache?.Length ?? 0;
        var real = attentionMask.to_type(ScalarType.Bool);
        var positions = real.to_type(ScalarType.Int64).cumsum(-1).add(HeldScalars.MinusOne, HeldScalars.One).clamp_min(HeldScalars.Zero)[.., past..]; // see HeldScalars
        var x = _embedTokens.forward(inputIds);
        var (cos, sin) = _rotary.Compute(positions, x.dtype);

        // arange's bounds and the fill value are Scalars held in locals until the calls return: an implicitly converted one can be
        // finalized (and its native memory freed) while libtorch still reads it, which fails rarely and at random (see HeldScalars).
        using var keyCount = real.shape[1].ToScalar();
        using var queryStart = ((long)past).ToScalar();
        using var queryEnd = (past + t).ToScalar();
        using var maskedScore = MaskedScore.ToScalar();
        var keys = arange(HeldScalars.Zero, keyCount, HeldScalars.One, device: inputIds.device);
        var queries = arange(queryStart, queryEnd, HeldScalars.One, device: inputIds.device);
        var allowed = keys.unsqueeze(0).le(queries.unsqueeze(1)).unsqueeze(0).unsqueeze(0) & real.unsqueeze(1).unsqueeze(1);
        var mask = zeros(allowed.shape, x.dtype, inputIds.device).masked_fill(allowed.logical_not(), maskedScore);
        var windowMask = mask;
        if (Config.SlidingWindow is { } window && Enumerable.Range(0, _layers.Count).Any(Config.UsesSlidingWindow))
        {
            // A query sees the keys of the last `window` positions, itself included (transformers: kv_idx > q_idx - window). Left padding
            // shifts queries and keys alike, so slot distance is position distance.
            using var reach = ((long)window).ToScalar();
            var inWindow = keys.unsqueeze(0).gt(queries.unsqueeze(1).sub(reach)).unsqueeze(0).unsqueeze(0);
            windowMask = zeros(allowed.shape, x.dtype, inputIds.device).masked_fill((allowed & inWindow).logical_not(), maskedScore);
        }

        var recording = is_grad_enabled();
        var checkpointed = GradientCheckpointing && cache is null && recording;
        for (var layer = 0; layer < _layers.Count; layer++)
        {
            var layerMask = Config.UsesSlidingWindow(layer) ? windowMask : mask;
            if (checkpointed) x = CheckpointedLayer.Apply(_layers[layer], x, cos, sin, layerMask, layer);
            else if (recording) x = _layers[layer].Forward(x, cos, sin, layerMask, cache, layer); // autograd keeps the intermediates anyway
            else
            {
                // Without gradients nothing needs a layer's intermediates once it has run: free them now, not when the caller's scope ends.
                using var layerScope = NewDisposeScope();
                x = _layers[layer].Forward(x, cos, sin, layerMask, cache, layer).MoveToOuterDisposeScope();
            }
        }
        cache?.Advance((int)t);
        return _norm.forward(x);
    }
}
