using System.Buffers.Binary;
using System.Text;
using GiGpoNet.Hosting.Recording;

namespace GiGpoNet.Hosting.Tests.Training;

/// <summary>
/// The run folder's TensorBoard files, written without TorchSharp: read back record by record (CRC-32C checked bitwise, independently
/// of the writer's), and equal in content to what TorchSharp's SummaryWriter writes for the same scalars.
/// </summary>
public sealed class TensorBoardEventWriterTests
{
    private string _folder = null!;

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "gigpo-tb-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static readonly (string Tag, float Value, long Step)[] Scalars =
        [("iteration/success_rate", 0.25f, 1), ("iteration/loss", -1.5e-3f, 1), ("evaluation/success_rate", 0.5f, 300), ("iteration/kl", float.Epsilon, 1L << 40)];

    [Test]
    public void Its_records_read_back_with_valid_checksums_and_hold_what_torchsharps_summary_writer_holds()
    {
        using (var writer = new TensorBoardEventWriter(Path.Combine(_folder, "ours")))
            foreach (var (tag, value, step) in Scalars) writer.AddScalar(tag, value, step);
        var reference = TorchSharp.torch.utils.tensorboard.SummaryWriter(Path.Combine(_folder, "torchsharp"));
        foreach (var (tag, value, step) in Scalars) reference.add_scalar(tag, value, (int)Math.Min(step, int.MaxValue));

        var ours = Read(Path.Combine(_folder, "ours"));
        var theirs = Read(Path.Combine(_folder, "torchsharp"));
        Assert.That(ours[0].FileVersion, Is.EqualTo("brain.Event:2"));
        Assert.That(ours[0].FileVersion, Is.EqualTo(theirs[0].FileVersion));
        Assert.That(ours.Skip(1).Select(e => (e.Tag, e.Value, e.Step)), Is.EqualTo(Scalars));
        Assert.That(ours.Skip(1).Take(3).Select(e => (e.Tag, e.Value, e.Step)), Is.EqualTo(theirs.Skip(1).Take(3).Select(e => (e.Tag, e.Value, e.Step))));
        Assert.That(ours.Select(e => e.WallTime), Is.All.EqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).Within(60));
    }

    [Test]
    public void A_second_writer_in_the_same_folder_and_second_adds_a_file_and_loses_none()
    {
        using (var first = new TensorBoardEventWriter(_folder)) first.AddScalar("a", 1, 1);
        using (var second = new TensorBoardEventWriter(_folder)) second.AddScalar("a", 2, 2);
        Assert.That(Directory.GetFiles(_folder, "events.out.tfevents.*"), Has.Length.EqualTo(2));
    }

    private sealed record Event(double WallTime, long Step, string? FileVersion, string? Tag, float Value);

    private static List<Event> Read(string folder)
    {
        var bytes = File.ReadAllBytes(Directory.GetFiles(folder, "events.out.tfevents.*").Single());
        var events = new List<Event>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8)), Is.EqualTo(MaskedCrc(bytes.AsSpan(at, 8))), "length checksum");
            var data = bytes.AsSpan(at + 12, length);
            Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + length)), Is.EqualTo(MaskedCrc(data)), "data checksum");
            events.Add(Decode(data.ToArray()));
            at += 16 + length;
        }
        return events;
    }

    private static Event Decode(byte[] message)
    {
        double wallTime = 0;
        long step = 0;
        string? fileVersion = null, tag = null;
        float value = float.NaN;
        foreach (var (field, payload) in Fields(message))
            switch (field)
            {
                case 1: wallTime = BitConverter.ToDouble(payload); break;
                case 2: step = (long)Varint(payload, out _); break;
                case 3: fileVersion = Encoding.UTF8.GetString(payload); break;
                case 5:
                    foreach (var (_, summaryValue) in Fields(payload))
                        foreach (var (inner, content) in Fields(summaryValue))
                            if (inner == 1) tag = Encoding.UTF8.GetString(content);
                            else if (inner == 2) value = BitConverter.ToSingle(content);
                    break;
            }
        return new Event(wallTime, step, fileVersion, tag, value);
    }

    /// <summary>The fields of a protocol buffer message, each with its payload (a varint's bytes, fixed64, fixed32 or length-delimited content).</summary>
    private static IEnumerable<(int Field, byte[] Payload)> Fields(byte[] message)
    {
        for (var at = 0; at < message.Length;)
        {
            var key = (int)Varint(message.AsSpan(at), out var keyBytes);
            at += keyBytes;
            int start = at, size;
            switch (key & 7)
            {
                case 0: Varint(message.AsSpan(at), out size); break;
                case 1: size = 8; break;
                case 5: size = 4; break;
                case 2:
                    size = (int)Varint(message.AsSpan(at), out var prefix);
                    start += prefix;
                    at += prefix;
                    break;
                default: throw new InvalidDataException($"wire type {key & 7}");
            }
            yield return (key >> 3, message.AsSpan(start, size).ToArray());
            at += size;
        }
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, out int length)
    {
        ulong value = 0;
        length = 0;
        while (true)
        {
            var b = bytes[length];
            value |= (ulong)(b & 0x7f) << (7 * length++);
            if ((b & 0x80) == 0) return value;
        }
    }

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) bit by bit, masked as TFRecord does.</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
