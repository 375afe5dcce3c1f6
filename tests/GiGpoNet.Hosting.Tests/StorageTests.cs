using GiGpoNet.Hosting.Storage;

namespace GiGpoNet.Hosting.Tests;

public sealed class StorageTests
{
    private string _folder = "";

    [SetUp]
    public void CreateFolder() => Directory.CreateDirectory(_folder = Path.Combine(Path.GetTempPath(), "gigpo-storage-" + Guid.NewGuid().ToString("N")));

    [TearDown]
    public void DeleteFolder() => Directory.Delete(_folder, recursive: true);

    private static void WriteFile(string folder, string text) => File.WriteAllText(Path.Combine(folder, "file.txt"), text);

    private static string ReadFile(string folder) => File.ReadAllText(Path.Combine(folder, "file.txt"));

    [Test]
    public void A_staged_folder_appears_complete_and_replaces_or_keeps_an_existing_one_as_asked()
    {
        var destination = Path.Combine(_folder, "entry");
        Assert.That(StagedFolder.Write(destination, t => WriteFile(t, "first"), replace: false), Is.True);
        Assert.That(ReadFile(destination), Is.EqualTo("first"));

        Assert.That(StagedFolder.Write(destination, t => WriteFile(t, "second"), replace: false), Is.False, "another writer came first");
        Assert.That(ReadFile(destination), Is.EqualTo("first"));

        Assert.That(StagedFolder.Write(destination, t => WriteFile(t, "third"), replace: true), Is.True);
        Assert.That(ReadFile(destination), Is.EqualTo("third"));
        Assert.That(Directory.EnumerateDirectories(_folder).Select(Path.GetFileName), Is.EqualTo(new[] { "entry" }), "no temporary folder is left");
    }

    [Test]
    public void A_staged_write_that_fails_leaves_the_destination_as_it_was_and_no_temporary_folder()
    {
        var destination = Path.Combine(_folder, "entry");
        StagedFolder.Write(destination, t => WriteFile(t, "kept"), replace: false);
        string? staged = null;
        Assert.Throws<IOException>(() => StagedFolder.Write(destination, t =>
        {
            staged = t;
            WriteFile(t, "half");
            throw new IOException("disk full");
        }, replace: true));
        Assert.That(StagedFolder.IsTemporary(staged!), Is.True);
        Assert.That(Directory.Exists(staged), Is.False);
        Assert.That(ReadFile(destination), Is.EqualTo("kept"));
        Assert.That(StagedFolder.IsTemporary(destination), Is.False);
    }

    [Test]
    public void An_exclusive_file_lock_is_refused_while_held_and_free_once_released()
    {
        var path = Path.Combine(_folder, "sub", "running.lock");
        using (var first = ExclusiveFileLock.TryTake(path))
        {
            Assert.That(first, Is.Not.Null, "the lock and its folder are created");
            Assert.That(ExclusiveFileLock.TryTake(path), Is.Null, "a second handle is refused while the first holds it");
        }
        using var again = ExclusiveFileLock.TryTake(path);
        Assert.That(again, Is.Not.Null);
    }
}
