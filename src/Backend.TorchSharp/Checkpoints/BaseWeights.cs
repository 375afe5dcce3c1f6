using System.Text.Json;
using System.Text.Json.Nodes;
using GiGpoNet.Backend.Model;

namespace GiGpoNet.Backend.Checkpoints;

/// <summary>
/// A run's frozen base weights, written once into <c>checkpoints/base</c> (a complete Hugging Face folder with an id), so that its
/// checkpoints need not hold them again: a LoRA policy's base, the KL reference of full fine-tuning. A checkpoint refers to it with a
/// <see cref="PolicyCheckpoints.BaseReferenceFile"/> (a relative path and the id), which loading checks.
/// </summary>
internal sealed class BaseWeights(string folder)
{
    /// <summary>The base's folder beside a run's checkpoints.</summary>
    public const string FolderName = "base";

    private const string IdFile = "base_id";

    private string? _id;

    /// <summary>The folder.</summary>
    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>Whether the base is in place (written by this run, or found when it resumed).</summary>
    public bool Written => _id is not null;

    /// <summary>Writes <paramref name="model"/>'s weights (adapters are never part of them) as the base, replacing an earlier run's; staged and renamed.</summary>
    public void Write(Qwen2ForCausalLM model)
    {
        var id = Guid.NewGuid().ToString("N");
        var temporary = Folder + ".tmp-" + id[..8];
        try
        {
            HuggingFaceCheckpoint.Save(model, temporary, model.Body.Placement().Dtype);
            File.WriteAllText(Path.Combine(temporary, IdFile), id);
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
            Directory.Move(temporary, Folder);
            _id = id;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    /// <summary>Adopts the base already in place (a resumed run's), checking that it is the one <paramref name="referrer"/> was written against.</summary>
    public void Adopt(string referrer)
    {
        if (Resolve(referrer) is { } found && string.Equals(Path.GetFullPath(found), Folder, StringComparison.Ordinal)) _id = File.ReadAllText(Path.Combine(Folder, IdFile));
    }

    /// <summary>Writes the reference to this base into <paramref name="referrer"/>.</summary>
    public void Refer(string referrer)
    {
        if (_id is null) throw new InvalidOperationException("The base weights are not written yet.");
        Directory.CreateDirectory(referrer);
        var node = new JsonObject { ["base"] = Path.GetRelativePath(Path.GetFullPath(referrer), Folder), ["base_id"] = _id };
        File.WriteAllText(Path.Combine(referrer, PolicyCheckpoints.BaseReferenceFile), node.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The base folder <paramref name="referrer"/> refers to, or null when it holds its own weights.</summary>
    /// <exception cref="InvalidDataException">The reference is unreadable, or its base is missing or another run's.</exception>
    public static string? Resolve(string referrer)
    {
        var file = Path.Combine(referrer, PolicyCheckpoints.BaseReferenceFile);
        if (!ModelFiles.Exists(file)) return null;
        string relative, id;
        try
        {
            var node = JsonNode.Parse(ModelFiles.ReadText(file), documentOptions: ModelFiles.JsonOptions(16))!.AsObject();
            (relative, id) = (node["base"]!.GetValue<string>(), node["base_id"]!.GetValue<string>());
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new InvalidDataException($"'{file}' is not a reference to base weights ({e.Message}); the checkpoint is damaged.");
        }
        var folder = Path.GetFullPath(Path.Combine(referrer, relative));
        var idFile = Path.Combine(folder, IdFile);
        if (!ModelFiles.Exists(idFile))
            throw new InvalidDataException($"'{referrer}' holds no weights of its own and its base '{folder}' is missing; the run folder's checkpoints/base was " +
                                           "deleted or moved apart from its checkpoints.");
        if (!string.Equals(File.ReadAllText(idFile).Trim(), id, StringComparison.Ordinal))
            throw new InvalidDataException($"'{referrer}' was written against other base weights than '{folder}' now holds (a later run started over in this " +
                                           "folder); it cannot be loaded.");
        return folder;
    }
}
