using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GiGpoNet.Hosting.Training;

namespace GiGpoNet.Hosting.Tests;

/// <summary>Faults injected into checkpoints and their disk: each is refused or survived with one clear line, and nothing is lost.</summary>
[Category("Slow")]
public sealed class CheckpointFaultTests : CliTestBase
{
    private static void Rehash(string checkpoint, string file)
    {
        var manifestPath = Path.Combine(checkpoint, "manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        using (var stream = File.OpenRead(Path.Combine(checkpoint, file)))
            manifest[file] = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        File.WriteAllText(manifestPath, manifest.ToJsonString());
    }

    private static void WriteSafeTensors(string path, string header) =>
        File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)Encoding.UTF8.GetByteCount(header)), .. Encoding.UTF8.GetBytes(header), .. new byte[8]]);

    [TestCase("truncated", "does not match its hash")]
    [TestCase("manifest", "is not what this version writes")]
    [TestCase("huge", "too large for any file")]
    [TestCase("overlapping", "overlap in the data")]
    public void A_corrupted_checkpoint_is_refused_with_a_message_and_the_earlier_one_resumes(string corruption, string expected)
    {
        var run = Path.Combine(Folder, "run");
        Assert.That(Run(TinyTraining.Checkpointed(run, 2)).Code, Is.EqualTo(0));
        var latest = TrainingCheckpoint.Latest(run)!;
        var weights = Path.Combine("policy", "model.safetensors");
        switch (corruption)
        {
            case "truncated":
                using (var file = File.OpenWrite(Path.Combine(latest, weights))) file.SetLength(file.Length / 2);
                break;
            case "manifest":
                File.WriteAllText(Path.Combine(latest, "manifest.json"), "{\"policy/model.safetensors\": ");
                break;
            case "huge": // a header that a broken writer produced, with a matching manifest: only the loader's own checks stand
                WriteSafeTensors(Path.Combine(latest, weights), """{"model.embed_tokens.weight":{"dtype":"F32","shape":[100000000000,100000000000],"data_offsets":[0,8]}}""");
                Rehash(latest, weights);
                break;
            case "overlapping":
                WriteSafeTensors(Path.Combine(latest, weights), """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""");
                Rehash(latest, weights);
                break;
        }

        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = Run(TinyTraining.Checkpointed(run, 3));
        Assert.That(code, Is.EqualTo(1), stdout + stderr);
        Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(1)), "refused at once, no huge allocation");

        Directory.Delete(latest, recursive: true);
        (code, stdout, stderr) = Run(TinyTraining.Checkpointed(run, 3));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("iteration 2:").And.Contain("iteration 3:").And.Not.Contain("warm start:"), "resumed from iteration 1");
    }

    /// <summary>
    /// A full disk: the run folder on a tmpfs too small for the run. The run stops with one line, its last complete checkpoint still
    /// verifies, and the same command, once the disk is larger, finishes with the metrics of a run that never ran out of space.
    /// </summary>
    [Test]
    public void A_full_disk_stops_the_run_with_one_line_and_the_same_command_resumes_once_space_is_back()
    {
        Assume.That(OperatingSystem.IsLinux() && Environment.UserName == "root", "needs root to mount a tmpfs");
        var mount = Path.Combine(Folder, "small-disk");
        Directory.CreateDirectory(mount);
        Assume.That(Shell($"mount -t tmpfs -o size=1500k tmpfs {mount}"), Is.EqualTo(0), "tmpfs mounts are not allowed here");
        try
        {
            var run = Path.Combine(mount, "run");
            var (code, stdout, stderr) = Run(TinyTraining.Checkpointed(run, 6));
            Assert.That(code, Is.EqualTo(1), "the disk filled up: " + stdout + stderr);
            Assert.That(stderr.Trim().Split('\n'), Has.Length.EqualTo(1), stderr);
            Assert.That(stderr, Does.Contain("No space left on device"));
            var latest = TrainingCheckpoint.Latest(run);
            Assert.That(latest, Is.Not.Null, "a checkpoint was completed before the disk filled");
            Assert.DoesNotThrow(() => TrainingCheckpoint.Verify(latest!), "the last complete checkpoint is intact");
            Assert.That(Directory.GetDirectories(Path.Combine(run, "checkpoints"), ".tmp-*"), Is.Empty, "no half-written checkpoint is left");

            Assert.That(Shell($"mount -o remount,size=64m {mount}"), Is.EqualTo(0));
            (code, _, stderr) = Run(TinyTraining.Checkpointed(run, 6));
            Assert.That(code, Is.EqualTo(0), stderr);

            var reference = Path.Combine(Folder, "reference");
            Assert.That(Run(TinyTraining.Checkpointed(reference, 6)).Code, Is.EqualTo(0));
            TinyTraining.AssertSameMetrics(reference, run);
        }
        finally
        {
            Shell($"umount {mount}");
        }
    }

    private static int Shell(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { RedirectStandardError = true })!;
        process.WaitForExit();
        return process.ExitCode;
    }
}
