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
    /// <summary>A checkpoint loaded aside, to be swapped in; disposing it frees it when it was not.</summary>
    public sealed record LoadedWeights(Qwen2ForCausalLM Model, ITextTokenizer Tokenizer, string Root) : IDisposable
    {
        public void Dispose() => Model.Dispose();
    }

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
        IReadOnlyList<IReadOnlyList<int[]>?>? allowed, CancellationToken cancellationToken)
    {
        Use(model);
        return _generator.Generate(prompts, sampling, allowed: allowed, cancellationToken: cancellationToken);
    }

    /// <summary>Scores <paramref name="ids"/> with <paramref name="model"/>'s weights. The caller holds <see cref="Gate"/>.</summary>
    public PromptScores Score(string model, int[] ids, int topLogProbs)
    {
        Use(model);
        return PromptScorer.Score(_model, ids, topLogProbs);
    }

    /// <summary>
    /// Reads and checks the PEFT adapter in <paramref name="path"/> for the model <paramref name="name"/>, without the weights: the served
    /// models go on generating meanwhile. <see cref="AttachAdapter"/> then puts it in place under <see cref="Gate"/>.
    /// </summary>
    public PeftAdapterFiles ReadAdapter(string name, string path)
    {
        if (name == BaseName) throw OpenAiException.BadRequest($"'{name}' is the base model's name; give the adapter another lora_name.", "lora_name");
        lock (_adapters)
            if (_adapters.ContainsKey(name))
                throw OpenAiException.BadRequest($"The LoRA adapter '{name}' is already loaded; unload it first to replace it.", "lora_name");
        if (!LoraAdapters.IsAdapterFolder(path))
            throw new OpenAiException(404, $"'{path}' holds no {LoraAdapters.ConfigFile}; give the folder of a PEFT LoRA adapter (a run's checkpoint " +
                                           $"{PolicyCheckpoints.AdapterFolder}/ folder).", "lora_path");
        return Refused(() => PeftAdapterFiles.Read(path), $"The adapter in '{path}' cannot be loaded", "lora_path");
    }

    /// <summary>Attaches an adapter read by <see cref="ReadAdapter"/> as the model <paramref name="name"/>. The caller holds <see cref="Gate"/>.</summary>
    public void AttachAdapter(string name, PeftAdapterFiles files)
    {
        lock (_adapters)
            if (_adapters.ContainsKey(name))
                throw OpenAiException.BadRequest($"The LoRA adapter '{name}' was loaded meanwhile; unload it first to replace it.", "lora_name");
        Use(BaseName);
        var adapters = Refused(() => LoraAdapters.Load(_model, files), $"The adapter in '{files.Folder}' cannot be loaded", "lora_path");
        adapters.Deactivate();
        lock (_adapters) _adapters[name] = (adapters, Path.GetFullPath(files.Folder));
    }

    /// <summary>A file the client named that cannot be used is a 400 that says why, never a 500.</summary>
    private static T Refused<T>(Func<T> load, string what, string field)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is InvalidDataException or GiGpoNetConfigurationException or IOException or UnauthorizedAccessException
                                      or System.Text.Json.JsonException or ChatTemplateException)
        {
            throw OpenAiException.BadRequest($"{what}: {e.Message}", field);
        }
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
    /// Loads the checkpoint in <paramref name="path"/> aside, while the served weights go on generating, and checks that it has the
    /// served architecture. <see cref="SwapIn"/> then replaces the base weights with it under <see cref="Gate"/>.
    /// </summary>
    public LoadedWeights LoadAside(string path)
    {
        var (model, tokenizer) = Refused(() => PolicyCheckpoints.Load(path, _backend), $"The weights in '{path}' cannot be loaded", "model_path");
        if (model.Config != _model.Config)
        {
            model.Dispose();
            var differences = string.Join(", ", model.Config.Differences(_model.Config));
            throw OpenAiException.BadRequest($"'{path}' holds a model of another architecture than the one served ({differences}); start another server for it.",
                "model_path");
        }
        return new LoadedWeights(model, tokenizer, Path.GetFullPath(path));
    }

    /// <summary>
    /// Serves <paramref name="weights"/> in place of the base weights. The adapters loaded over the old weights are unloaded: they were
    /// trained against them. The caller holds <see cref="Gate"/>.
    /// </summary>
    /// <returns>The names of the adapters unloaded.</returns>
    public IReadOnlyList<string> SwapIn(LoadedWeights weights)
    {
        IReadOnlyList<string> unloaded;
        lock (_adapters)
        {
            unloaded = [.. _adapters.Keys];
            foreach (var (adapters, _) in _adapters.Values) adapters.Dispose();
            _adapters.Clear();
        }
        _active = null;
        _model.Dispose();
        (_model, Tokenizer, _generator, Root) = (weights.Model, weights.Tokenizer, new TextGenerator(weights.Model, weights.Tokenizer), weights.Root);
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
