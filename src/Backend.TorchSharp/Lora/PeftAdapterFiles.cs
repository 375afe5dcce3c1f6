using GiGpoNet.Backend.Checkpoints;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Lora;

/// <summary>
/// A PEFT adapter folder read into memory and checked (its config, and its tensors on the CPU, every one finite), not yet attached to
/// a model. Reading is the slow part of loading an adapter and touches no model, so a server does it while it goes on generating; the
/// tensors are this object's until it is disposed.
/// </summary>
internal sealed class PeftAdapterFiles : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    private PeftAdapterFiles(string folder, PeftAdapterConfig config, Dictionary<string, Tensor> tensors) =>
        (Folder, Config, _tensors) = (folder, config, tensors);

    public string Folder { get; }

    public PeftAdapterConfig Config { get; }

    public string WeightsPath => Path.Combine(Folder, LoraAdapters.WeightsFile);

    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>Reads and checks <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">A file is missing, not a regular file, not valid, or holds NaN or infinite values.</exception>
    /// <exception cref="GiGpoNetConfigurationException">The config sets what is not implemented.</exception>
    public static PeftAdapterFiles Read(string folder)
    {
        var config = PeftAdapterConfig.Read(Path.Combine(folder, LoraAdapters.ConfigFile));
        var file = Path.Combine(folder, LoraAdapters.WeightsFile);
        if (!File.Exists(file))
            throw new InvalidDataException($"'{folder}' has {LoraAdapters.ConfigFile} but no {LoraAdapters.WeightsFile}; the adapter's weights are missing.");
        using var scope = NewDisposeScope();
        var tensors = SafeTensors.Load(file);
        foreach (var (key, tensor) in tensors)
            if (!tensor.isfinite().all().item<bool>())
                throw new InvalidDataException($"'{key}' in '{file}' holds NaN or infinite values; the adapter is damaged (or was saved from a diverged run).");
        foreach (var tensor in tensors.Values) tensor.DetachFromDisposeScope();
        return new PeftAdapterFiles(folder, config, tensors);
    }

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
    }
}
