using static TorchSharp.torch;

namespace GiGpoNet.Backend.Model;

/// <summary>
/// Keys and values of every layer for a batch being generated, preallocated to the longest length: each step writes its new positions
/// in place and attends over the filled prefix. Create it outside any dispose scope and dispose it when generation ends.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] _keys;
    private readonly Tensor[] _values;

    /// <summary>Allocates the cache.</summary>
    public KvCache(Qwen2Config config, long batch, int maxLength, ScalarType dtype, Device device)
    {
        MaxLength = maxLength;
        _keys = new Tensor[config.NumHiddenLayers];
        _values = new Tensor[config.NumHiddenLayers];
        for (var layer = 0; layer < config.NumHiddenLayers; layer++)
        {
            _keys[layer] = zeros([batch, config.NumKeyValueHeads, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
            _values[layer] = zeros([batch, config.NumKeyValueHeads, maxLength, config.HeadDim], dtype, device).DetachFromDisposeScope();
        }
    }

    /// <summary>Positions filled so far.</summary>
    public int Length { get; private set; }

    /// <summary>Capacity.</summary>
    public int MaxLength { get; }

    /// <summary>Writes a layer's new keys and values ([B, kvH, T, D]) after the filled prefix; returns views over prefix + new.</summary>
    [RequiresDisposeScope]
    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var t = keys.shape[2];
        if (Length + t > MaxLength) throw new InvalidOperationException($"The KV cache holds {MaxLength} positions; {Length + t} were needed.");
        _keys[layer].narrow(2, Length, t).copy_(keys);
        _values[layer].narrow(2, Length, t).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + t), _values[layer].narrow(2, 0, Length + t));
    }

    /// <summary>Marks <paramref name="positions"/> more positions as filled (after all layers appended them).</summary>
    internal void Advance(int positions) => Length += positions;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
    }
}
