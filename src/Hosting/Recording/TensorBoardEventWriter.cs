using System.Buffers.Binary;
using System.Net;
using System.Numerics;
using System.Text;

namespace GiGpoNet.Hosting.Recording;

/// <summary>
/// Writes scalars as a TensorBoard event file (<c>events.out.tfevents.&lt;seconds&gt;.&lt;host&gt;.&lt;process&gt;.&lt;n&gt;</c>, as
/// tensorboardX names them, so that a resumed run adds a file beside the first's): TFRecord framing (length and
/// data, each followed by its masked CRC-32C) around <c>tensorflow.Event</c> protocol buffers, the first holding the file version. Each
/// scalar is written and flushed as it is added, so that a run killed mid-way leaves a readable file.
/// </summary>
internal sealed class TensorBoardEventWriter : IDisposable
{
    private static int _files;
    private readonly FileStream _file;

    public TensorBoardEventWriter(string folder)
    {
        Directory.CreateDirectory(folder);
        var seconds = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var name = $"events.out.tfevents.{seconds}.{Dns.GetHostName()}.{Environment.ProcessId}.{Interlocked.Increment(ref _files)}";
        _file = new FileStream(Path.Combine(folder, name), FileMode.CreateNew, FileAccess.Write);
        Write(Event(step: 0, fileVersion: "brain.Event:2", summary: null));
    }

    /// <summary>Adds the scalar <paramref name="value"/> of <paramref name="tag"/> at <paramref name="step"/>.</summary>
    public void AddScalar(string tag, float value, long step)
    {
        var summaryValue = new List<byte>();
        LengthDelimited(summaryValue, 1, Encoding.UTF8.GetBytes(tag));
        summaryValue.Add(0x15); // field 2, fixed32: simple_value
        Span<byte> single = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(single, value);
        summaryValue.AddRange(single);
        var summary = new List<byte>();
        LengthDelimited(summary, 1, [.. summaryValue]);
        Write(Event(step, fileVersion: null, summary: [.. summary]));
    }

    public void Dispose() => _file.Dispose();

    private static byte[] Event(long step, string? fileVersion, byte[]? summary)
    {
        var message = new List<byte> { 0x09 }; // field 1, fixed64: wall_time
        Span<byte> wallTime = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(wallTime, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        message.AddRange(wallTime);
        message.Add(0x10); // field 2, varint: step
        Varint(message, (ulong)step);
        if (fileVersion is not null) LengthDelimited(message, 3, Encoding.UTF8.GetBytes(fileVersion));
        if (summary is not null) LengthDelimited(message, 5, summary);
        return [.. message];
    }

    private void Write(byte[] data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        _file.Write(header);
        _file.Write(data);
        _file.Write(footer);
        _file.Flush();
    }

    private static void LengthDelimited(List<byte> message, int field, byte[] value)
    {
        message.Add((byte)((field << 3) | 2));
        Varint(message, (ulong)value.Length);
        message.AddRange(value);
    }

    private static void Varint(List<byte> message, ulong value)
    {
        while (value >= 0x80)
        {
            message.Add((byte)(value | 0x80));
            value >>= 7;
        }
        message.Add((byte)value);
    }

    /// <summary>TFRecord's masked CRC-32C (Castagnoli).</summary>
    internal static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
