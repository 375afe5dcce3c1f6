using GiGpoNet.Backend.Lora;
using GiGpoNet.Backend.Model;
using GiGpoNet.Backend.Tokenization;
using static TorchSharp.torch;

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
    /// The file of a folder without weights of its own (a LoRA checkpoint's policy, a reference) that names the folder holding them:
    /// the run's frozen base, written once (<see cref="BaseWeights"/>) instead of at every checkpoint.
    /// </summary>
    internal const string BaseReferenceFile = "base.json";

    /// <summary>
    /// Saves the policy as a complete Hugging Face folder: its weights in their dtype, its <c>config.json</c> (every field it was loaded
    /// with kept), and its tokenizer's files with the chat template and <c>generation_config.json</c>.
    /// </summary>
    public static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder) => Save(model, tokenizer, folder, adapters: null);

    /// <summary>
    /// Saves the base weights (or, with <paramref name="frozenBase"/>, a reference to that folder, which holds them already), the
    /// tokenizer and, with adapters, the adapter in <see cref="AdapterFolder"/>.
    /// </summary>
    internal static void Save(Qwen2ForCausalLM model, ITextTokenizer tokenizer, string folder, LoraAdapters? adapters, BaseWeights? frozenBase = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (frozenBase is null) HuggingFaceCheckpoint.Save(model, folder, model.Body.Placement().Dtype);
        else
        {
            Directory.CreateDirectory(folder);
            model.Config.Save(Path.Combine(folder, "config.json"), HuggingFaceCheckpoint.DtypeName(model.Body.Placement().Dtype));
            frozenBase.Refer(folder);
        }
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
        var (model, tokenizer, _) = AsConfigurationError(folder, () => LoadMerged(folder, backend));
        return (model, tokenizer);
    }

    /// <summary>A folder the user gave that cannot be loaded is bad input: its problem becomes a configuration error naming the folder.</summary>
    private static T AsConfigurationError<T>(string folder, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or ChatTemplateException or System.Text.Json.JsonException)
        {
            throw new GiGpoNetConfigurationException($"'{folder}' cannot be loaded: {e.Message}", e);
        }
    }

    /// <summary>
    /// A training checkpoint's policy as it was being trained: the base weights (its own, or the run's frozen base its
    /// <see cref="BaseReferenceFile"/> names) and tokenizer, its LoRA adapter not merged (the learner attaches it again).
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint's files are damaged (the run's own files, not the user's input: delete it to resume
    /// from an earlier one).</exception>
    internal static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer) LoadUnmerged(string folder, BackendOptions backend)
    {
        var policy = PolicyFolder(folder);
        var tokenizer = AsConfigurationError(folder, () => LoadTokenizer(policy));
        try
        {
            return (HuggingFaceCheckpoint.LoadCausalLM(policy, backend.ResolveDtype(), backend.ResolveDevice(), WeightsFolder(policy)), tokenizer);
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"The checkpoint '{folder}' is corrupted: {e.Message.TrimEnd('.')}. Delete it to resume from an earlier one.", e);
        }
    }

    /// <summary>Whether <paramref name="folder"/> is a training checkpoint (<c>checkpoints/iter-&lt;K&gt;</c>): its policy sits in a subfolder.</summary>
    internal static bool IsTrainingCheckpoint(string folder) =>
        !ModelFiles.Exists(Path.Combine(folder, "config.json")) && Directory.Exists(Path.Combine(folder, TrainingCheckpointPolicyFolder));

    private static string PolicyFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new GiGpoNetConfigurationException(
                $"'{folder}' is not a folder; give a run's checkpoints/final or checkpoints/iter-<K> folder or a Hugging Face model folder.");
        return IsTrainingCheckpoint(folder) ? Path.Combine(folder, TrainingCheckpointPolicyFolder) : folder;
    }

    private static ITextTokenizer LoadTokenizer(string folder) =>
        ModelFiles.Exists(Path.Combine(folder, VocabularyFile)) ? WordLevelTokenizer.Load(Path.Combine(folder, VocabularyFile))
        : ModelFiles.Exists(Path.Combine(folder, "tokenizer.json")) ? HuggingFaceTokenizer.Load(folder)
        : throw new GiGpoNetConfigurationException($"'{folder}' has neither {VocabularyFile} nor tokenizer.json; the policy's tokenizer is needed.");

    /// <summary>
    /// Where <paramref name="folder"/>'s weights are: the folder itself, or the frozen base its <see cref="BaseReferenceFile"/> names
    /// (checked to be the same base the file was written against).
    /// </summary>
    /// <exception cref="InvalidDataException">The named base is missing or is another run's.</exception>
    internal static string WeightsFolder(string folder) => BaseWeights.Resolve(folder) ?? folder;

    private static (Qwen2ForCausalLM Model, ITextTokenizer Tokenizer, int Merged) LoadMerged(string folder, BackendOptions backend)
    {
        folder = PolicyFolder(folder);
        var tokenizer = LoadTokenizer(folder);
        if (PretrainedFolder.VocabularyProblem(tokenizer, Model.Qwen2Config.Load(Path.Combine(folder, "config.json"))) is { } mismatch)
            throw new GiGpoNetConfigurationException($"'{folder}': {mismatch}");
        var model = HuggingFaceCheckpoint.LoadCausalLM(folder, backend.ResolveDtype(), backend.ResolveDevice(), WeightsFolder(folder));
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
    /// <paramref name="output"/> (weights in the checkpoint's own <c>torch_dtype</c>, config, tokenizer files, generation config), which
    /// transformers and vLLM load without PEFT.
    /// </summary>
    /// <returns>How many adapted projections were merged (0 when the checkpoint had no adapter).</returns>
    /// <exception cref="GiGpoNetConfigurationException">The output is the checkpoint itself, lies inside it, or is a folder that holds files already.</exception>
    public static int Merge(string checkpoint, string output, BackendOptions backend) => Merge(checkpoint, output, backend, dtype: null);

    /// <summary>
    /// As <see cref="Merge(string, string, BackendOptions)"/>, the weights written as <paramref name="dtype"/> (null: the checkpoint's
    /// <c>torch_dtype</c>). The merge is computed in the backend's dtype, written to a temporary sibling folder and renamed into place,
    /// so that a failure leaves no half-written output.
    /// </summary>
    public static int Merge(string checkpoint, string output, BackendOptions backend, ScalarType? dtype)
    {
        ArgumentNullException.ThrowIfNull(backend);
        var (source, target) = (Path.GetFullPath(checkpoint).TrimEnd('/'), Path.GetFullPath(output).TrimEnd('/'));
        if (string.Equals(source, target, StringComparison.Ordinal))
            throw new GiGpoNetConfigurationException("--output is the checkpoint itself; give a new folder, so that the adapter and base weights are kept.");
        if (target.StartsWith(source + "/", StringComparison.Ordinal))
            throw new GiGpoNetConfigurationException($"--output '{target}' lies inside the checkpoint '{source}'; give a folder outside it.");
        if (File.Exists(target) || Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new GiGpoNetConfigurationException($"--output '{target}' holds files already; give an empty or new folder (nothing is overwritten).");
        var policy = PolicyFolder(source);
        var written = dtype ?? AsConfigurationError(source, () =>
            HuggingFaceCheckpoint.DtypeOf(Model.Qwen2Config.Load(Path.Combine(policy, "config.json")).Source?["torch_dtype"]?.GetValue<string>()));
        var (model, tokenizer, merged) = AsConfigurationError(source, () => LoadMerged(source, backend));
        using (model)
        {
            var temporary = target + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            try
            {
                HuggingFaceCheckpoint.Save(model, temporary, written);
                tokenizer.WriteTo(temporary);
                if (Directory.Exists(target)) Directory.Delete(target); // empty, checked above
                Directory.Move(temporary, target);
            }
            finally
            {
                if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            }
        }
        return merged;
    }
}
