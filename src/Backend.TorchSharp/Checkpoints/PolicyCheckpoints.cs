using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;

namespace GiGpoNet.Backend.Checkpoints;

/// <summary>Loads a policy saved by the trainer (or any Hugging Face model folder) with its tokenizer.</summary>
public static class PolicyCheckpoints
{
    /// <summary>The vocabulary file of a from-scratch policy's word-level tokenizer, next to its weights.</summary>
    public const string VocabularyFile = "vocabulary.json";

    /// <summary>The subfolder that holds a policy's LoRA adapter, in PEFT's format, beside its base weights.</summary>
    public const string AdapterFolder = "adapter";

    /// <summary>The subfolder of a training checkpoint (<c>checkpoints/iter-&lt;K&gt;</c>) that holds its policy, beside the optimizer state.</summary>
    internal const string TrainingCheckpointPolicyFolder = "policy";

    /// <summary>
    /// Saves the policy as a complete Hugging Face folder: its weights in their dtype, its <c>config.json</c> (every field it was loaded
    /// with kept), and its tokenizer's files with the chat template and <c>generation_config.json</c>.
    /// </summary>
    public static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder) => Save(model, tokenizer, folder, adapters: null);

    /// <summary>Saves the base weights, the tokenizer and, with adapters, the adapter in <see cref="AdapterFolder"/>.</summary>
    internal static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder, LoraAdapters? adapters)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        HuggingFaceCheckpoint.Save(model, folder, model.Body.Placement().Dtype);
        tokenizer.WriteTo(folder);
        var adapterFolder = Path.Combine(folder, AdapterFolder);
        if (adapters is not null) adapters.Save(adapterFolder, baseModel: Path.GetFullPath(folder));
        else if (Directory.Exists(adapterFolder)) Directory.Delete(adapterFolder, recursive: true); // a stale adapter would be merged on load
    }

    /// <summary>
    /// The policy in <paramref name="folder"/> (or, for a training checkpoint, in its policy subfolder): weights from safetensors,
    /// tokenizer from vocabulary.json or tokenizer.json, and the LoRA adapter of <see cref="AdapterFolder"/> merged into the weights
    /// when there is one.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The folder is missing or has no tokenizer.</exception>
    public static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer) Load(string folder, BackendOptions backend)
    {
        var (model, tokenizer, _) = LoadMerged(folder, backend);
        return (model, tokenizer);
    }

    private static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer, int Merged) LoadMerged(string folder, BackendOptions backend)
    {
        if (!Directory.Exists(folder))
            throw new GiGpoNetConfigurationException(
                $"--checkpoint '{folder}' is not a folder; give a run's checkpoints/final or checkpoints/iter-<K> folder or a Hugging Face model folder.");
        if (!File.Exists(Path.Combine(folder, VocabularyFile)) && !File.Exists(Path.Combine(folder, "tokenizer.json"))
            && Directory.Exists(Path.Combine(folder, TrainingCheckpointPolicyFolder)))
            folder = Path.Combine(folder, TrainingCheckpointPolicyFolder);
        ITextTokenizer tokenizer = File.Exists(Path.Combine(folder, VocabularyFile)) ? WordLevelTokenizer.Load(Path.Combine(folder, VocabularyFile))
            : File.Exists(Path.Combine(folder, "tokenizer.json")) ? HuggingFaceTokenizer.Load(folder)
            : throw new GiGpoNetConfigurationException($"'{folder}' has neither {VocabularyFile} nor tokenizer.json; the policy's tokenizer is needed.");
        var model = HuggingFaceCheckpoint.LoadCausalLM(folder, backend.ResolveDtype(), backend.ResolveDevice());
        var adapterFolder = Path.Combine(folder, AdapterFolder);
        if (!LoraAdapters.IsAdapterFolder(adapterFolder)) return (model, tokenizer, 0);
        try
        {
            var adapters = LoraAdapters.Load(model, adapterFolder);
            var merged = adapters.Names.Count;
            adapters.Merge(model);
            return (model, tokenizer, merged);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="checkpoint"/> with its LoRA adapter merged into the weights as a plain Hugging Face folder at
    /// <paramref name="output"/> (weights, config, and the checkpoint's tokenizer and other files), which transformers and vLLM load
    /// without PEFT.
    /// </summary>
    /// <returns>How many adapted projections were merged (0 when the checkpoint had no adapter).</returns>
    /// <exception cref="GiGpoNetConfigurationException">The output is the checkpoint itself, or a folder that holds files already.</exception>
    public static int Merge(string checkpoint, string output, BackendOptions backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var (source, target) = (Path.GetFullPath(checkpoint), Path.GetFullPath(output));
        if (string.Equals(source.TrimEnd('/'), target.TrimEnd('/'), StringComparison.Ordinal))
            throw new GiGpoNetConfigurationException("--output is the checkpoint itself; give a new folder, so that the adapter and base weights are kept.");
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new GiGpoNetConfigurationException($"--output '{target}' holds files already; give an empty or new folder (nothing is overwritten).");
        var (model, tokenizer, merged) = LoadMerged(source, backend);
        using (model)
        {
            Directory.CreateDirectory(target);
            foreach (var file in Directory.EnumerateFiles(source))
            {
                var name = Path.GetFileName(file);
                if (name == "config.json" || name.StartsWith("model", StringComparison.Ordinal) && name.Contains(".safetensors", StringComparison.Ordinal)) continue;
                File.Copy(file, Path.Combine(target, name));
            }
            Save(model, tokenizer, target);
        }
        return merged;
    }
}
