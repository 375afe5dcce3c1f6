using System.Globalization;
using System.Text.Json;

namespace GiGpoNet.Experiments.Ablations;

/// <summary>One cell of a grid: a level of every axis and a seed, and the configuration keys that makes.</summary>
/// <param name="Labels">The level of each axis, by axis name.</param>
/// <param name="Seed">The seed.</param>
/// <param name="Settings">The configuration keys the cell sets over the grid's settings file (base, then the axes' levels, then the seed).</param>
public sealed record AblationCell(IReadOnlyDictionary<string, string> Labels, long Seed, IReadOnlyDictionary<string, string> Settings)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The name of the cell's run folder: the levels' labels, then the seed.</summary>
    public string Id => string.Join("__", Labels.Values.Select(AblationGrid.Slug).Append("seed" + Seed.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The cell's place in its grid (levels in the grid file's order, then seeds); <c>gigpo report</c> lists its rows in this order.</summary>
    public int Position { get; init; }

    /// <summary>The file in the run folder that records what the cell is, so that <c>gigpo report</c> needs only the folders.</summary>
    public const string FileName = "cell.json";

    /// <summary>Writes <see cref="FileName"/> into <paramref name="folder"/>.</summary>
    public void Save(string folder, string gridName)
    {
        Directory.CreateDirectory(folder);
        var document = new Dictionary<string, object> { ["grid"] = gridName, ["position"] = Position, ["labels"] = Labels, ["seed"] = Seed, ["settings"] = Settings };
        File.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(document, Indented));
    }

    /// <summary>Reads <see cref="FileName"/> of a run folder, or null when there is none.</summary>
    /// <exception cref="InvalidDataException">The file is not a cell description.</exception>
    public static (string Grid, AblationCell Cell)? Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            var labels = root.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var settings = root.GetProperty("settings").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
            var position = root.TryGetProperty("position", out var p) ? p.GetInt32() : 0; // folders written before positions were recorded: 0
            return (root.GetProperty("grid").GetString() ?? "", new AblationCell(labels, root.GetProperty("seed").GetInt64(), settings) { Position = position });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{path} is not a cell description ({e.Message}); delete the folder and run the grid again to rebuild it.", e);
        }
    }
}
