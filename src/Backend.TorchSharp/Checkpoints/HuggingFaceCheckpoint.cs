using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Checkpoints;

/// <summary>
/// Loads and saves models in Hugging Face's folder layout: <c>config.json</c> plus <c>model.safetensors</c>, or shards
/// <c>model-00001-of-0000N.safetensors</c> with <c>model.safetensors.index.json</c>. Parameter names are Hugging Face's.
/// </summary>
public static class HuggingFaceCheckpoint
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFile = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFile = "model.safetensors.index.json";

    /// <summary>
    /// What keeps <paramref name="folder"/> from loading, found without building the model: a missing or invalid <c>config.json</c> (or one
    /// that names an architecture or feature this backend does not implement), missing weight files, a safetensors header that does not
    /// fit its file, or weights that do not fit the config (a tensor missing, extra or of another shape). Empty when it would load.
    /// </summary>
    public static IEnumerable<string> Problems(string folder)
    {
        string? problem = null;
        try
        {
            CheckWeights(folder, Qwen2Config.Load(Path.Combine(folder, "config.json")));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or InvalidOperationException or FormatException or GiGpoNetConfigurationException)
        {
            problem = e.Message;
        }
        if (problem is not null) yield return problem;
    }

    /// <summary>
    /// Checks the folder's weight files against <paramref name="config"/> from their headers alone, before anything is allocated: every
    /// weight present with its shape, none unexpected (a tied config's <c>lm_head.weight</c> and the first release's C# aliases aside).
    /// </summary>
    /// <exception cref="InvalidDataException">The message names the file and the tensors.</exception>
    internal static void CheckWeights(string folder, Qwen2Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var expected = config.ExpectedWeights().ToDictionary(w => w.Name, w => w.Shape, StringComparer.Ordinal);
        var found = new HashSet<string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        foreach (var file in WeightFiles(folder))
        {
            if (!ModelFiles.Exists(file)) throw new InvalidDataException($"the weight file '{Path.GetFileName(file)}' that the index names is missing");
            foreach (var (name, shape, _) in SafeTensors.Shapes(file))
            {
                if (!expected.TryGetValue(name, out var wanted))
                {
                    if (!(name == "lm_head.weight" && config.TieWordEmbeddings) && !IsLegacyAlias(name)) unexpected.Add(name);
                    continue;
                }
                if (!wanted.SequenceEqual(shape))
                    throw new InvalidDataException($"'{name}' in {Path.GetFileName(file)} has shape [{string.Join(", ", shape)}]; config.json implies " +
                        $"[{string.Join(", ", wanted)}]. The checkpoint does not match config.json.");
                found.Add(name);
            }
        }
        var missing = expected.Keys.Where(k => !found.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"The weights in '{folder}' do not match its config.json ({config.NumHiddenLayers} layers of a {config.ModelType} model): " +
                (missing.Count > 0 ? $"missing {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? $" and {missing.Count - 8} more" : "")}. " : "") +
                (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? $" and {unexpected.Count - 8} more" : "")}." : ""));
    }

    /// <summary>
    /// Builds the model described by <c>config.json</c> and loads its weights (bf16, fp16 or fp32 on disk) as <paramref name="dtype"/>; the
    /// weights are checked against the config before the model is built.
    /// </summary>
    public static Qwen2ForCausalLM LoadCausalLM(string folder, ScalarType dtype = ScalarType.Float32, Device? device = null) =>
        LoadCausalLM(folder, dtype, device, folder);

    /// <summary>As <see cref="LoadCausalLM(string, ScalarType, Device?)"/>, the weights read from <paramref name="weightsFolder"/>.</summary>
    internal static Qwen2ForCausalLM LoadCausalLM(string folder, ScalarType dtype, Device? device, string weightsFolder)
    {
        var config = Qwen2Config.Load(Path.Combine(folder, "config.json"));
        CheckWeights(weightsFolder, config);
        var model = new Qwen2ForCausalLM(config);
        try
        {
            model.to(dtype);
            LoadWeights(model, weightsFolder, ignoreMissing: config.TieWordEmbeddings ? ["lm_head.weight"] : []);
            if (device is not null) model.to(device);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies the folder's weights into <paramref name="model"/>'s parameters by name.</summary>
    /// <exception cref="InvalidDataException">A parameter is missing, an extra tensor is present, or a shape differs; the message lists them.</exception>
    public static void LoadWeights(nn.Module model, string folder, IReadOnlyCollection<string>? ignoreMissing = null)
    {
        var files = WeightFiles(folder);
        var parameters = model.state_dict();
        var loaded = new HashSet<string>(StringComparer.Ordinal);
        var unexpected = new List<string>();
        using (no_grad())
        {
            foreach (var file in files)
            {
                using var scope = NewDisposeScope(); // the file's tensors, freed once copied
                var tensors = SafeTensors.Load(file);
                foreach (var (name, tensor) in tensors)
                {
                    if (!parameters.TryGetValue(name, out var target))
                    {
                        if (!(name == "lm_head.weight" && ignoreMissing?.Contains(name) == true) && !IsLegacyAlias(name)) unexpected.Add(name);
                        continue;
                    }
                    if (!target.shape.SequenceEqual(tensor.shape))
                        throw new InvalidDataException(
                            $"'{name}' in {Path.GetFileName(file)} has shape [{string.Join(", ", tensor.shape)}]; the model expects [{string.Join(", ", target.shape)}]. The " +
                                $"checkpoint does not match config.json.");
                    if (tensor.is_floating_point() && !tensor.isfinite().all().item<bool>())
                        throw new InvalidDataException($"'{name}' in {Path.GetFileName(file)} holds NaN or infinite values; the checkpoint is damaged (or was saved " +
                                                       "from a diverged run) and cannot be used.");
                    target.copy_(tensor.to_type(target.dtype));
                    loaded.Add(name);
                }
            }
        }

        var missing = parameters.Keys.Where(k => !loaded.Contains(k) && ignoreMissing?.Contains(k) != true).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"The weights in '{folder}' do not match the model: " +
                (missing.Count > 0 ? $"missing {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? $" and {missing.Count - 8} more" : "")}. " : "") +
                (unexpected.Count > 0 ? $"unexpected {string.Join(", ", unexpected.Take(8))}{(unexpected.Count > 8 ? $" and {unexpected.Count - 8} more" : "")}." : ""));
    }

    /// <summary>
    /// A second copy of a weight under the C# field names (<c>model._layers.0._attention._q.weight</c>) that GiGPO.NET 0.1.0 wrote beside
    /// each Hugging Face name; such files still load, the copies are skipped (every Hugging Face name must still be present).
    /// </summary>
    private static bool IsLegacyAlias(string name) => name.Split('.').Any(segment => segment.StartsWith('_'));

    /// <summary>
    /// Saves <paramref name="model"/> (and its config) to <paramref name="folder"/> as <paramref name="dtype"/>, in shards of at most
    /// <paramref name="maxShardBytes"/> with an index when it does not fit one file.
    /// </summary>
    public static void Save(Qwen2ForCausalLM model, string folder, ScalarType dtype = ScalarType.Float32, long maxShardBytes = 2L << 30)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(folder);
        model.Config.Save(Path.Combine(folder, "config.json"), DtypeName(dtype));
        SaveWeights(model, folder, dtype, maxShardBytes);
    }

    /// <summary>A dtype as <c>config.json</c>'s <c>torch_dtype</c> names it.</summary>
    internal static string DtypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        _ => "float32",
    };

    /// <summary>The dtype a <c>torch_dtype</c> (or <c>dtype</c>) names; float32 for anything else.</summary>
    internal static ScalarType DtypeOf(string? name) => name switch
    {
        "bfloat16" => ScalarType.BFloat16,
        "float16" => ScalarType.Float16,
        _ => ScalarType.Float32,
    };

    /// <summary>Saves a module's parameters in Hugging Face's safetensors layout (single file or shards with an index).</summary>
    public static void SaveWeights(nn.Module module, string folder, ScalarType dtype, long maxShardBytes)
    {
        using var scope = NewDisposeScope(); // the converted copies, freed once written
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long shardBytes = 0;
        foreach (var (name, tensor) in module.state_dict())
        {
            var converted = tensor.is_floating_point() ? tensor.detach().to_type(dtype) : tensor.detach();
            var size = converted.numel() * converted.ElementSize;
            if (shardBytes > 0 && shardBytes + size > maxShardBytes)
            {
                shards.Add([]);
                shardBytes = 0;
            }
            shards[^1].Add(KeyValuePair.Create(name, converted));
            shardBytes += size;
        }

        foreach (var stale in Directory.EnumerateFiles(folder, "model*.safetensors*")) File.Delete(stale);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        if (shards.Count == 1)
        {
            SafeTensors.Save(Path.Combine(folder, SingleFile), shards[0], metadata);
        }
        else
        {
            var weightMap = new JsonObject();
            long total = 0;
            for (var i = 0; i < shards.Count; i++)
            {
                var name = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                SafeTensors.Save(Path.Combine(folder, name), shards[i], metadata);
                foreach (var (key, tensor) in shards[i])
                {
                    weightMap[key] = name;
                    total += tensor.numel() * tensor.ElementSize;
                }
            }
            var index = new JsonObject { ["metadata"] = new JsonObject { ["total_size"] = total }, ["weight_map"] = weightMap };
            File.WriteAllText(Path.Combine(folder, IndexFile), index.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }
    }

    private static List<string> WeightFiles(string folder)
    {
        var index = Path.Combine(folder, IndexFile);
        if (ModelFiles.Exists(index))
        {
            JsonObject map;
            try
            {
                map = JsonNode.Parse(ModelFiles.ReadText(index), documentOptions: ModelFiles.JsonOptions(16))?["weight_map"] as JsonObject
                      ?? throw new InvalidDataException($"'{index}' has no weight_map object.");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"'{index}' is not valid JSON: {e.Message}", e);
            }
            var files = new List<string>();
            foreach (var (tensor, file) in map)
            {
                var name = file is JsonValue v && v.TryGetValue<string>(out var text) ? text
                    : throw new InvalidDataException($"'{index}': the weight_map entry of '{tensor}' is {file?.ToJsonString() ?? "null"}, not a file name.");
                if (name.Length == 0 || Path.GetFileName(name) != name)
                    throw new InvalidDataException($"'{index}': the weight_map entry of '{tensor}' is '{name}', not a file name inside the folder.");
                files.Add(Path.Combine(folder, name));
            }
            return [.. files.Distinct()];
        }
        var single = Path.Combine(folder, SingleFile);
        if (ModelFiles.Exists(single)) return [single];
        throw new FileNotFoundException($"'{folder}' has neither {SingleFile} nor {IndexFile}; it is not a Hugging Face safetensors model folder.");
    }
}
