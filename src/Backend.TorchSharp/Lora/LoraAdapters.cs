using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Checkpoints;
using GiGpoNet.Backend.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Lora;

/// <summary>
/// The adapters attached to one policy: attaching freezes the base weights; saving and loading use PEFT's folder
/// (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>, names <c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>);
/// merging adds each alpha / r · B·A to its base weight and detaches the adapters.
/// </summary>
internal sealed class LoraAdapters : IDisposable
{
    public const string ConfigFile = "adapter_config.json";
    public const string WeightsFile = "adapter_model.safetensors";
    private const string PeftPrefix = "base_model.model.model.";

    private readonly List<(string Name, Linear Projection, LoraSlot Slot, LoraAdapter Adapter)> _attached;

    private LoraAdapters(LoraOptions options, List<(string, Linear, LoraSlot, LoraAdapter)> attached)
    {
        Options = options;
        _attached = attached;
    }

    public LoraOptions Options { get; }

    /// <summary>The adapters' names inside the body (<c>layers.0.self_attn.q_proj</c>), in the model's order.</summary>
    public IReadOnlyList<string> Names => [.. _attached.Select(a => a.Name)];

    /// <summary>The trainable parameters: every adapter's A then B, in the model's order.</summary>
    public IReadOnlyList<Parameter> Parameters() => [.. _attached.SelectMany(a => new[] { a.Adapter.A, a.Adapter.B })];

    /// <summary>Freezes <paramref name="model"/>'s weights and attaches a fresh adapter (B = 0: outputs unchanged) to each target projection.</summary>
    public static LoraAdapters Attach(Qwen2ForCausalLM model, LoraOptions options)
    {
        var problems = options.Validate().ToList();
        if (!options.Enabled || problems.Count > 0)
            throw new GiGpoNetConfigurationException(problems.Count > 0 ? string.Join(" ", problems) : "Policy:Lora:Rank is 0: there is nothing to attach.");
        return Attach(model, options, name => options.Targets.Contains(name[(name.LastIndexOf('.') + 1)..]) ? (options.Rank, options.Alpha / options.Rank) : null);
    }

    /// <summary>Attaches a fresh adapter of <paramref name="plan"/>'s rank and scaling to each projection it names (PEFT's module names).</summary>
    private static LoraAdapters Attach(Qwen2ForCausalLM model, LoraOptions options, Func<string, (int Rank, double Scaling)?> plan)
    {
        foreach (var parameter in model.parameters()) parameter.requires_grad_(false);
        var (device, dtype) = model.Body.Placement();
        var attached = new List<(string, Linear, LoraSlot, LoraAdapter)>();
        foreach (var (name, projection, slot) in model.Body.Projections())
        {
            if (plan("model." + name) is not { } chosen) continue;
            if (slot.Adapter is not null) throw new InvalidOperationException($"'{name}' has an adapter already; merge or detach it first.");
            var (outFeatures, inFeatures) = (projection.weight!.shape[0], projection.weight.shape[1]);
            if (chosen.Rank > Math.Min(outFeatures, inFeatures))
                throw new InvalidDataException($"A LoRA rank of {chosen.Rank} for '{name}' is larger than the {outFeatures} × {inFeatures} projection it adapts; " +
                                               "a rank is at most the smaller of the two.");
            var adapter = new LoraAdapter(inFeatures, outFeatures, chosen.Rank, chosen.Scaling, options.Dropout);
            adapter.to(dtype).to(device);
            slot.Adapter = adapter;
            attached.Add((name, projection, slot, adapter));
        }
        return new LoraAdapters(options, attached);
    }

    /// <summary>Attaches the adapter saved in <paramref name="folder"/> (PEFT's format) to <paramref name="model"/>.</summary>
    /// <exception cref="InvalidDataException">The folder's config or tensors do not fit the model; the message names what.</exception>
    public static LoraAdapters Load(Qwen2ForCausalLM model, string folder)
    {
        using var files = PeftAdapterFiles.Read(folder);
        return Load(model, files);
    }

    /// <summary>Attaches an adapter already read (<see cref="PeftAdapterFiles.Read"/>) to <paramref name="model"/>: quick, no file is read.</summary>
    /// <exception cref="InvalidDataException">The adapter does not fit the model (the message says why).</exception>
    public static LoraAdapters Load(Qwen2ForCausalLM model, PeftAdapterFiles files)
    {
        var config = files.Config;
        var options = new LoraOptions { Rank = config.Rank, Alpha = config.Alpha, Dropout = config.Dropout, TargetModules = [.. config.Targets] };
        var adapters = Attach(model, options, config.For);
        if (adapters.Names.Count == 0)
        {
            adapters.Dispose();
            throw new InvalidDataException($"'{Path.Combine(files.Folder, ConfigFile)}' targets no projection of this model (target_modules: " +
                                           $"{string.Join(", ", config.Targets)}); the adapter is another model's.");
        }
        try
        {
            adapters.LoadWeights(files);
            return adapters;
        }
        catch
        {
            adapters.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="folder"/> holds a PEFT adapter.</summary>
    public static bool IsAdapterFolder(string folder) => File.Exists(Path.Combine(folder, ConfigFile));

    /// <summary>Writes the adapter in PEFT's format (fp32 tensors, or the adapters' dtype when wider).</summary>
    public void Save(string folder, string? baseModel = null)
    {
        Directory.CreateDirectory(folder);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA", ["task_type"] = "CAUSAL_LM", ["r"] = Options.Rank, ["lora_alpha"] = Options.Alpha, ["lora_dropout"] = Options.Dropout,
            ["target_modules"] = new JsonArray([.. Options.Targets.Select(t => (JsonNode)t)]), ["bias"] = "none", ["fan_in_fan_out"] = false,
            ["inference_mode"] = true, ["init_lora_weights"] = true, ["use_rslora"] = false, ["use_dora"] = false, ["modules_to_save"] = null,
            ["base_model_name_or_path"] = baseModel,
        };
        File.WriteAllText(Path.Combine(folder, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        using var scope = NewDisposeScope();
        var tensors = _attached.SelectMany(a => new[]
        {
            KeyValuePair.Create(PeftPrefix + a.Name + ".lora_A.weight", a.Adapter.A.detach().to_type(ScalarType.Float32)),
            KeyValuePair.Create(PeftPrefix + a.Name + ".lora_B.weight", a.Adapter.B.detach().to_type(ScalarType.Float32)),
        });
        SafeTensors.Save(Path.Combine(folder, WeightsFile), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>Copies the adapter tensors of <paramref name="folder"/> into the attached adapters; every one must be there, with PEFT's shapes.</summary>
    public void LoadWeights(string folder)
    {
        using var files = PeftAdapterFiles.Read(folder);
        LoadWeights(files);
    }

    private void LoadWeights(PeftAdapterFiles files)
    {
        var file = files.WeightsPath;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var tensors = files.Tensors;
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _, _, adapter) in _attached)
        foreach (var (suffix, target) in new[] { (".lora_A.weight", adapter.A), (".lora_B.weight", adapter.B) })
        {
            var key = PeftPrefix + name + suffix;
            expected.Add(key);
            if (!tensors.TryGetValue(key, out var source))
                throw new InvalidDataException($"'{file}' has no '{key}', which its {ConfigFile} (r = {Options.Rank}, target_modules) implies for this model.");
            if (!source.shape.SequenceEqual(target.shape))
                throw new InvalidDataException($"'{key}' in '{file}' has shape [{string.Join(", ", source.shape)}]; this model needs [{string.Join(", ", target.shape)}] " +
                                               $"(the ranks of {ConfigFile}).");
            target.copy_(source.to_type(target.dtype));
        }
        var unexpected = tensors.Keys.Where(k => !expected.Contains(k)).ToList();
        if (unexpected.Count > 0)
            throw new InvalidDataException($"'{file}' has tensors this model has no place for: {string.Join(", ", unexpected.Take(5))}" +
                                           (unexpected.Count > 5 ? $" and {unexpected.Count - 5} more" : "") + ".");
    }

    /// <summary>Adds each adapter's alpha / r · B·A to its base weight, detaches the adapters and unfreezes the base weights.</summary>
    public void Merge(Qwen2ForCausalLM model)
    {
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            foreach (var (_, projection, _, adapter) in _attached)
                projection.weight!.add_(adapter.Delta().to_type(projection.weight.dtype), Model.HeldScalars.One);
        }
        Dispose();
        foreach (var parameter in model.parameters()) parameter.requires_grad_(true);
    }

    /// <summary>
    /// Takes the adapters out of the model's projections, keeping them, so that another adapter set can be attached to the same model
    /// (a server holding several adapters over one base); <see cref="Activate"/> puts them back.
    /// </summary>
    public void Deactivate()
    {
        foreach (var (_, _, slot, adapter) in _attached)
            if (ReferenceEquals(slot.Adapter, adapter)) slot.Adapter = null;
    }

    /// <summary>
    /// The base model alone until disposed: the adapters leave their projections and come back (the KL reference of a LoRA run is its
    /// frozen base, so no second copy of the model is kept).
    /// </summary>
    public IDisposable Bypass()
    {
        Deactivate();
        return new Restore(this);
    }

    private sealed class Restore(LoraAdapters adapters) : IDisposable
    {
        public void Dispose() => adapters.Activate();
    }

    /// <summary>Puts the adapters back into their projections, which must be free.</summary>
    public void Activate()
    {
        foreach (var (name, _, slot, adapter) in _attached)
        {
            if (slot.Adapter is not null && !ReferenceEquals(slot.Adapter, adapter))
                throw new InvalidOperationException($"'{name}' holds another adapter; deactivate that one first.");
            slot.Adapter = adapter;
        }
    }

    /// <summary>Detaches and frees the adapters (the base weights stay frozen).</summary>
    public void Dispose()
    {
        foreach (var (_, _, slot, adapter) in _attached)
        {
            if (ReferenceEquals(slot.Adapter, adapter)) slot.Adapter = null;
            adapter.Dispose();
        }
        _attached.Clear();
    }
}
