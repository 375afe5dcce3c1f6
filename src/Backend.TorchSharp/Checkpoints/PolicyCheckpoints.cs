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

    /// <summary>Saves the policy's weights (Hugging Face layout) and, for a word-level tokenizer, its vocabulary.</summary>
    public static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder) => Save(model, tokenizer, folder, adapters: null);

    /// <summary>Saves the base weights, the vocabulary and, with adapters, the adapter in <see cref="AdapterFolder"/>.</summary>
    internal static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder, LoraAdapters? adapters)
    {
        HuggingFaceCheckpoint.Save(model, folder);
        if (tokenizer is WordLevelTokenizer words) words.Save(Path.Combine(folder, VocabularyFile));
        var adapterFolder = Path.Combine(folder, AdapterFolder);
        if (adapters is not null) adapters.Save(adapterFolder, baseModel: Path.GetFullPath(folder));
        else if (Directory.Exists(adapterFolder)) Directory.Delete(adapterFolder, recursive: true); // a stale adapter would be merged on load
    }

    /// <summary>
    /// The policy in <paramref name="folder"/>: weights from safetensors, tokenizer from vocabulary.json or tokenizer.json, and the LoRA
    /// adapter of <see cref="AdapterFolder"/> merged into the weights when there is one.
    /// </summary>
    /// <exception cref="GiGpoNetConfigurationException">The folder is missing or has no tokenizer.</exception>
    public static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer) Load(string folder, BackendOptions backend)
    {
        if (!Directory.Exists(folder))
            throw new GiGpoNetConfigurationException($"--checkpoint '{folder}' is not a folder; give a run's checkpoints/final folder or a Hugging Face model folder.");
        ITextTokenizer tokenizer = File.Exists(Path.Combine(folder, VocabularyFile)) ? WordLevelTokenizer.Load(Path.Combine(folder, VocabularyFile))
            : File.Exists(Path.Combine(folder, "tokenizer.json")) ? HuggingFaceTokenizer.Load(folder)
            : throw new GiGpoNetConfigurationException($"'{folder}' has neither {VocabularyFile} nor tokenizer.json; the policy's tokenizer is needed.");
        var model = HuggingFaceCheckpoint.LoadCausalLM(folder, backend.ResolveDtype(), backend.ResolveDevice());
        var adapterFolder = Path.Combine(folder, AdapterFolder);
        if (LoraAdapters.IsAdapterFolder(adapterFolder))
        {
            try
            {
                LoraAdapters.Load(model, adapterFolder).Merge(model);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        return (model, tokenizer);
    }
}
