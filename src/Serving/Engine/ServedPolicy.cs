using GiGpoNet.Backend;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Generation;
using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using GiGpoNet.Serving.Protocol;

namespace GiGpoNet.Serving.Engine;

/// <summary>
/// The served weights: one base model (a checkpoint, its own adapter merged) and the LoRA adapters loaded over it at run time, each a
/// model of its own name. Every use of the weights holds <see cref="Gate"/>, so a reload or an adapter change never meets a generation
/// half-way: a request that arrives after the change has been acknowledged uses the new weights.
/// </summary>
internal sealed class ServedPolicy : IDisposable
{
    private readonly BackendOptions _backend;
    private readonly Dictionary<string, (LoraAdapters Adapters, string Path)> _adapters = new(StringComparer.Ordinal);
    private Qwen2ForCausalLM _model;
    private TextGenerator _generator;
    private LoraAdapters? _active;

    public ServedPolicy(string checkpoint, BackendOptions backend, string? servedName)
    {
        _backend = backend;
        (_model, Tokenizer) = PolicyCheckpoints.Load(checkpoint, backend);
        _generator = new TextGenerator(_model, Tokenizer);
        Root = Path.GetFullPath(checkpoint);
        BaseName = servedName ?? Path.GetFileName(Root.TrimEnd(Path.DirectorySeparatorChar));
    }

    /// <summary>Held by every use of the weights.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    public string BaseName { get; }

    /// <summary>The folder the base weights came from last.</summary>
    public string Root { get; private set; }

    public ITextTokenizer Tokenizer { get; private set; }

    public Qwen2Config Config => _model.Config;

    /// <summary>The served models: the base first, then the adapters with their folders.</summary>
    public IReadOnlyList<(string Name, string Root, string? Parent)> Models
    {
        get
        {
            lock (_adapters) return [(BaseName, Root, null), .. _adapters.Select(a => (a.Key, a.Value.Path, (string?)BaseName))];
        }
    }

    /// <summary>Throws the OpenAI "model not found" error unless <paramref name="model"/> is served; null means the base.</summary>
    public string Resolve(string? model)
    {
        if (model is null || model == BaseName) return BaseName;
        lock (_adapters) return _adapters.ContainsKey(model) ? model : throw OpenAiException.ModelNotFound(model, Models.Select(m => m.Name));
    }

    /// <summary>Generates with <paramref name="model"/>'s weights. The caller holds <see cref="Gate"/>.</summary>
    public IReadOnlyList<GeneratedSequence> Generate(string model, IReadOnlyList<int[]> prompts, SamplingOptions sampling,
        IReadOnlyList<IReadOnlyList<int[]>?>? allowed)
    {
        Use(model);
        return _generator.Generate(prompts, sampling, allowed: allowed);
    }

    /// <summary>Scores <paramref name="ids"/> with <paramref name="model"/>'s weights. The caller holds <see cref="Gate"/>.</summary>
    public PromptScores Score(string model, int[] ids, int topLogProbs)
    {
        Use(model);
        return PromptScorer.Score(_model, ids, topLogProbs);
    }

    /// <summary>Loads the PEFT adapter in <paramref name="path"/> as the model <paramref name="name"/>. The caller holds <see cref="Gate"/>.</summary>
    public void LoadAdapter(string name, string path)
    {
        if (name == BaseName) throw OpenAiException.BadRequest($"'{name}' is the base model's name; give the adapter another lora_name.", "lora_name");
        lock (_adapters)
            if (_adapters.ContainsKey(name))
                throw OpenAiException.BadRequest($"The LoRA adapter '{name}' is already loaded; unload it first to replace it.", "lora_name");
        if (!LoraAdapters.IsAdapterFolder(path))
            throw new OpenAiException(404, $"'{path}' holds no {LoraAdapters.ConfigFile}; give the folder of a PEFT LoRA adapter (a run's checkpoint " +
                                           $"{PolicyCheckpoints.AdapterFolder}/ folder).", "lora_path");
        Use(BaseName);
        LoraAdapters adapters;
        try
        {
            adapters = LoraAdapters.Load(_model, path);
        }
        catch (Exception e) when (e is InvalidDataException or GiGpoNetConfigurationException or IOException)
        {
            throw OpenAiException.BadRequest($"The adapter in '{path}' cannot be loaded: {e.Message}", "lora_path");
        }
        adapters.Deactivate();
        lock (_adapters) _adapters[name] = (adapters, Path.GetFullPath(path));
    }

    /// <summary>Unloads the adapter <paramref name="name"/>. The caller holds <see cref="Gate"/>.</summary>
    public void UnloadAdapter(string name)
    {
        (LoraAdapters Adapters, string Path) entry;
        lock (_adapters)
            if (!_adapters.Remove(name, out entry))
                throw new OpenAiException(404, $"No LoRA adapter named '{name}' is loaded; loaded: {string.Join(", ", _adapters.Keys.DefaultIfEmpty("none"))}.",
                    "lora_name");
        if (ReferenceEquals(_active, entry.Adapters)) _active = null;
        entry.Adapters.Dispose();
    }

    /// <summary>
    /// Replaces the base weights (and tokenizer) with the checkpoint in <paramref name="path"/>, which must have the same architecture.
    /// The adapters loaded over the old weights are unloaded: they were trained against them. The caller holds <see cref="Gate"/>.
    /// </summary>
    /// <returns>The names of the adapters unloaded.</returns>
    public IReadOnlyList<string> Reload(string path)
    {
        Qwen2ForCausalLM model;
        ITextTokenizer tokenizer;
        try
        {
            (model, tokenizer) = PolicyCheckpoints.Load(path, _backend);
        }
        catch (Exception e) when (e is InvalidDataException or GiGpoNetConfigurationException or IOException)
        {
            throw OpenAiException.BadRequest($"The weights in '{path}' cannot be loaded: {e.Message}", "model_path");
        }
        if (model.Config != _model.Config)
        {
            model.Dispose();
            var differences = string.Join(", ", model.Config.Differences(_model.Config));
            throw OpenAiException.BadRequest($"'{path}' holds a model of another architecture than the one served ({differences}); start another server for it.",
                "model_path");
        }
        IReadOnlyList<string> unloaded;
        lock (_adapters)
        {
            unloaded = [.. _adapters.Keys];
            foreach (var (adapters, _) in _adapters.Values) adapters.Dispose();
            _adapters.Clear();
        }
        _active = null;
        _model.Dispose();
        (_model, Tokenizer, _generator, Root) = (model, tokenizer, new TextGenerator(model, tokenizer), Path.GetFullPath(path));
        return unloaded;
    }

    public void Dispose()
    {
        lock (_adapters)
        {
            foreach (var (adapters, _) in _adapters.Values) adapters.Dispose();
            _adapters.Clear();
        }
        _model.Dispose();
        Gate.Dispose();
    }

    /// <summary>Puts <paramref name="model"/>'s adapter (none for the base) into the projections.</summary>
    private void Use(string model)
    {
        LoraAdapters? wanted;
        lock (_adapters) wanted = model == BaseName ? null : _adapters.TryGetValue(model, out var entry) ? entry.Adapters : throw OpenAiException.ModelNotFound(model, [BaseName]);
        if (ReferenceEquals(wanted, _active)) return;
        _active?.Deactivate();
        wanted?.Activate();
        _active = wanted;
    }

}
