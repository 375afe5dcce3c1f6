using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace GiGpoNet.Backend.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header (name → dtype, shape, data offsets), then the raw
/// little-endian data. Reads and writes F32, F16, BF16, F64 and integer tensors on the CPU.
/// </summary>
public static class SafeTensors
{
    private static readonly Dictionary<string, ScalarType> ToScalar = new()
    {
        ["F32"] = ScalarType.Float32, ["F16"] = ScalarType.Float16, ["BF16"] = ScalarType.BFloat16, ["F64"] = ScalarType.Float64,
        ["I64"] = ScalarType.Int64, ["I32"] = ScalarType.Int32, ["I16"] = ScalarType.Int16, ["I8"] = ScalarType.Int8,
        ["U8"] = ScalarType.Byte, ["BOOL"] = ScalarType.Bool,
    };

    /// <summary>
    /// The tensors of one file, on the CPU; floating-point ones converted to <paramref name="floatType"/> when given. Every entry of
    /// the header is checked against the file (dtype, shape, data offsets inside the data, no overlaps) before anything is allocated.
    /// The tensors belong to the caller's dispose scope.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (the message says why).</exception>
    [RequiresDisposeScope]
    public static Dictionary<string, Tensor> Load(string path, ScalarType? floatType = null)
    {
        ModelFiles.Require(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (header, dataStart) = ReadHeader(file, path);
        var entries = Entries(header, path, file.Length - dataStart);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var tensor = empty(entry.Shape, entry.Dtype);
            if (entry.Length > 0)
            {
                var bytes = new byte[entry.Length];
                RandomAccess.Read(file.SafeFileHandle, bytes, dataStart + entry.Begin);
                tensor.bytes = bytes;
            }
            if (floatType is { } target && tensor.is_floating_point() && entry.Dtype != target) tensor = tensor.to_type(target);
            result[entry.Name] = tensor;
        }
        return result;
    }

    private readonly record struct Entry(string Name, ScalarType Dtype, long[] Shape, long Begin, long Length);

    /// <summary>The header's tensors, each checked against the data section of <paramref name="dataLength"/> bytes.</summary>
    private static List<Entry> Entries(JsonObject header, string path, long dataLength)
    {
        var entries = new List<Entry>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            if (node is not JsonObject entry) throw Invalid(path, $"the header entry '{name}' is not an object");
            var dtypeName = Read(() => entry["dtype"]?.GetValue<string>()) ?? throw Invalid(path, $"tensor '{name}' has no dtype");
            if (!ToScalar.TryGetValue(dtypeName, out var dtype)) throw Invalid(path, $"tensor '{name}' has dtype {dtypeName}, which is not supported");
            var shape = Read(() => entry["shape"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray())
                ?? throw Invalid(path, $"tensor '{name}' has no shape (an array of whole numbers)");
            var offsets = Read(() => entry["data_offsets"]?.AsArray().Select(d => d!.GetValue<long>()).ToArray());
            if (offsets is not [var begin, var end] || begin < 0 || end < begin || end > dataLength)
                throw Invalid(path, $"tensor '{name}' has data offsets [{string.Join(", ", offsets ?? [])}] outside the {dataLength} bytes of data");
            if (shape.Any(d => d < 0)) throw Invalid(path, $"tensor '{name}' has a negative dimension in its shape [{string.Join(", ", shape)}]");
            long bytes;
            try
            {
                bytes = checked(shape.Aggregate(1L, (n, d) => n * d) * ElementSize(dtype));
            }
            catch (OverflowException)
            {
                throw Invalid(path, $"tensor '{name}' declares a shape [{string.Join(", ", shape)}] too large for any file");
            }
            if (bytes != end - begin)
                throw Invalid(path, $"tensor '{name}' has {end - begin} bytes for shape [{string.Join(", ", shape)}] of {dtypeName} ({bytes} expected)");
            entries.Add(new Entry(name, dtype, shape, begin, end - begin));
        }
        var byOffset = entries.Where(e => e.Length > 0).OrderBy(e => e.Begin).ToList();
        for (var i = 1; i < byOffset.Count; i++)
            if (byOffset[i].Begin < byOffset[i - 1].Begin + byOffset[i - 1].Length)
                throw Invalid(path, $"tensors '{byOffset[i - 1].Name}' and '{byOffset[i].Name}' overlap in the data");
        return entries;
    }

    private static T? Read<T>(Func<T?> read) where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            return null;
        }
    }

    private static long ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Checks a file's header against its data as <see cref="Load"/> does, without reading or allocating any tensor.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (the message says why).</exception>
    public static void Validate(string path) => Shapes(path);

    /// <summary>
    /// The name, shape and dtype of every tensor of a file, its header checked against its data as <see cref="Load"/> does, without reading
    /// the data; refuses a path that is not a regular file (a FIFO or a device).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors (the message says why).</exception>
    internal static IReadOnlyList<(string Name, long[] Shape, ScalarType Dtype)> Shapes(string path)
    {
        ModelFiles.Require(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var (header, dataStart) = ReadHeader(file, path);
        return [.. Entries(header, path, file.Length - dataStart).Select(e => (e.Name, e.Shape, e.Dtype))];
    }

    /// <summary>The tensor names of a file, without reading the data.</summary>
    public static IReadOnlyList<string> Names(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        return [.. ReadHeader(file, path).Header.Select(p => p.Key).Where(k => k != "__metadata__")];
    }

    /// <summary>The string metadata of a file (<c>__metadata__</c>), empty when it has none, without reading the data.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors, or its metadata is not an object of strings.</exception>
    public static IReadOnlyDictionary<string, string> Metadata(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
        if (ReadHeader(file, path).Header["__metadata__"] is not JsonObject metadata) return new Dictionary<string, string>();
        try
        {
            return metadata.ToDictionary(m => m.Key, m => m.Value!.GetValue<string>(), StringComparer.Ordinal);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw Invalid(path, "its __metadata__ is not an object of strings");
        }
    }

    /// <summary>Writes tensors (moved to the CPU, made contiguous) with optional string metadata.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 }) header["__metadata__"] = new JsonObject(metadata.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value)));
        var parts = new List<byte[]>();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            using var scope = NewDisposeScope();
            var cpu = tensor.detach().cpu().contiguous();
            var bytes = cpu.bytes.ToArray();
            header[name] = new JsonObject
            {
                ["dtype"] = ToScalar.First(p => p.Value == cpu.dtype).Key,
                ["shape"] = new JsonArray([.. cpu.shape.Select(d => (JsonNode)d)]),
                ["data_offsets"] = new JsonArray(offset, offset + bytes.Length),
            };
            parts.Add(bytes);
            offset += bytes.Length;
        }

        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        var padded = (json.Length + 7) / 8 * 8;
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        file.Write(length);
        file.Write(json);
        for (var i = json.Length; i < padded; i++) file.WriteByte((byte)' ');
        foreach (var part in parts) file.Write(part);
    }

    private static (JsonObject Header, long DataStart) ReadHeader(FileStream file, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (file.Read(lengthBytes) != 8) throw Invalid(path, "it is shorter than its 8-byte header length");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (length == 0 || length > 100_000_000 || (long)length > file.Length - 8) throw Invalid(path, $"its header length {length} does not fit the file");
        var headerBytes = new byte[length];
        file.ReadExactly(headerBytes);
        try
        {
            var header = JsonNode.Parse(headerBytes, documentOptions: ModelFiles.JsonOptions(16)) as JsonObject
                         ?? throw Invalid(path, "its header is not a JSON object");
            return (header, 8 + (long)length);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw Invalid(path, $"its header is not a JSON object ({e.Message})");
        }
    }

    private static InvalidDataException Invalid(string path, string why) => new($"'{path}' is not a valid safetensors file: {why}.");
}
